/*
 * Upstream-sync guard (issue 11 item 3). seed/ported.lock.json keeps, for
 * every function the port ports, its lines, hash and C text as they were
 * when the port was last checked against them. When the vendored C changes
 * (another revision dropped in as seed/vnode_pager.c), syncReport names each
 * port function to revisit with a diff of its C text; the port's headers
 * record the same hashes (`seed 110-155 sha256:...`), so a header not
 * updated after a revisit is named too.
 *
 * Refresh the lock after revisiting the port (and updating its headers):
 *   npx tsx seed/sync.ts --write
 * Without --write it prints the report and exits 1 if anything is stale.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFunctions, seedLines } from './seed.ts';

export const LOCK_PATH = fileURLToPath(new URL('./ported.lock.json', import.meta.url));

export interface LockEntry {
  readonly name: string;
  readonly first: number;
  readonly last: number;
  /** sha256 of the text, 16 hex digits (seed.ts functionHash). */
  readonly hash: string;
  readonly text: string;
}

export interface Lock {
  readonly revision: string;
  readonly functions: readonly LockEntry[];
}

export const hashText = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** The lock entries of a C file's lines (1-based, index 0 ''): every function it defines. */
export function lockEntries(lines: readonly string[]): LockEntry[] {
  return parseFunctions(lines).map((f) => {
    const text = lines.slice(f.first, f.last + 1).join('\n');
    return { name: f.name, first: f.first, last: f.last, hash: hashText(text), text };
  });
}

export function readLock(path: string = LOCK_PATH): Lock {
  return JSON.parse(readFileSync(path, 'utf8')) as Lock;
}

/** Lines of a C text (as seedLines: 1-based, index 0 ''). */
export function linesOf(text: string): string[] {
  return ['', ...text.replace(/\n$/, '').split('\n')];
}

/**
 * A line diff of old and new text (longest common subsequence), with the
 * seed line numbers of each side and `context` unchanged lines around each
 * change: '-  123 | old', '+  125 | new', '   124 | same'.
 */
export function lineDiff(oldText: string, oldFirst: number, newText: string, newFirst: number, context = 2): string[] {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  const L: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) L[i]![j] = a[i] === b[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const ops: { op: ' ' | '-' | '+'; line: number; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ op: ' ', line: newFirst + j, text: b[j]! });
      i++;
      j++;
    }
    else if (j < b.length && (i === a.length || L[i]![j + 1]! >= L[i + 1]![j]!)) ops.push({ op: '+', line: newFirst + j, text: b[j++]! });
    else ops.push({ op: '-', line: oldFirst + i, text: a[i++]! });
  }
  const keep = ops.map((o, k) => o.op !== ' ' || ops.slice(Math.max(0, k - context), k + context + 1).some((x) => x.op !== ' '));
  const out: string[] = [];
  for (let k = 0; k < ops.length; k++) {
    if (!keep[k]) {
      if (out.at(-1) !== '   ...') out.push('   ...');
      continue;
    }
    const o = ops[k]!;
    out.push(`${o.op} ${String(o.line).padStart(4)} | ${o.text}`);
  }
  return out;
}

export interface SyncFinding {
  /** The port function to revisit. */
  readonly name: string;
  readonly what: 'changed' | 'moved' | 'removed' | 'header';
  readonly message: string;
}

/**
 * Compares the lock with the C's current lines (and, if given, with the
 * hashes the port's headers record). Returns one finding per function to
 * revisit; none when the port, the lock and the C agree.
 */
export function syncReport(lock: Lock, lines: readonly string[], headerHashes?: ReadonlyMap<string, string>): SyncFinding[] {
  const now = new Map(lockEntries(lines).map((e) => [e.name, e]));
  const out: SyncFinding[] = [];
  for (const old of lock.functions) {
    const cur = now.get(old.name);
    if (cur === undefined) {
      out.push({ name: old.name, what: 'removed', message: `${old.name} (ported from seed ${old.first}-${old.last}) is no longer in the C: revisit impl/vnode_pager.ts ${old.name}` });
      continue;
    }
    if (cur.hash !== old.hash) {
      out.push({
        name: old.name,
        what: 'changed',
        message: [
          `${old.name}: its C text changed (sha256:${old.hash} at seed ${old.first}-${old.last} -> sha256:${cur.hash} at ${cur.first}-${cur.last}); revisit impl/vnode_pager.ts ${old.name}:`,
          ...lineDiff(old.text, old.first, cur.text, cur.first),
        ].join('\n'),
      });
      continue;
    }
    if (cur.first !== old.first)
      out.push({ name: old.name, what: 'moved', message: `${old.name}: unchanged but moved from seed ${old.first}-${old.last} to ${cur.first}-${cur.last}; the port's line citations in it shift by ${cur.first - old.first}` });
    const h = headerHashes?.get(old.name);
    if (headerHashes !== undefined && h !== cur.hash)
      out.push({ name: old.name, what: 'header', message: `${old.name}: the port's header records ${h === undefined ? 'no hash' : `sha256:${h}`}, the C is sha256:${cur.hash} (seed ${cur.first}-${cur.last})` });
  }
  return out;
}

/** The hashes the port's function headers record: `seed 110-155 sha256:...` just above `export function* name(`. */
export function portHeaderHashes(portText: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /seed (\d+)-(\d+) sha256:([0-9a-f]{16})[\s\S]*?export function\*? (\w+)\(/g;
  for (const m of portText.matchAll(re)) out.set(m[4]!, m[3]!);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const lines = seedLines();
  if (process.argv.includes('--write')) {
    const { SEED_REVISION } = await import('./seed.ts');
    const lock: Lock = { revision: SEED_REVISION, functions: lockEntries(lines) };
    writeFileSync(LOCK_PATH, JSON.stringify(lock, null, 1) + '\n');
    console.log(`wrote ${LOCK_PATH}: ${lock.functions.length} functions`);
  } else {
    const port = readFileSync(fileURLToPath(new URL('../impl/vnode_pager.ts', import.meta.url)), 'utf8');
    const findings = syncReport(readLock(), lines, portHeaderHashes(port));
    for (const f of findings) console.log(f.message + '\n');
    console.log(findings.length === 0 ? 'the port, the lock and the C agree' : `${findings.length} port function(s) to revisit`);
    process.exitCode = findings.length === 0 ? 0 : 1;
  }
}
