/*
 * Seed lines for people: the function a seed line is in, and where a step
 * runs. The function table is parsed from the vendored C (seed/seed.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seedFunctionAt, seedFunctions, seedLines, type SeedFunction } from '../seed/seed.ts';

export { seedFunctionAt, type SeedFunction };

/** vnode_pager.c at 99429157e861: every function, in line order. */
export const SEED_FUNCTIONS: readonly SeedFunction[] = seedFunctions();

/**
 * Where a step runs, for people: "vnode_pager_haspage:347" for a seed line,
 * "seed line 90" for a seed line outside every function, "(vm_fault)" for a
 * step of a caller outside the seed, "" when nothing is known.
 */
export function whereText(step: { readonly line?: number | undefined; readonly fn?: string | undefined }): string {
  if (step.line !== undefined) {
    const f = seedFunctionAt(step.line);
    return f !== null ? `${f}:${step.line}` : `seed line ${step.line}`;
  }
  if (step.fn !== undefined) return `(${step.fn})`;
  return '';
}

/**
 * The C statement at seed line n, for a step label: the line trimmed, with its
 * continuation lines while parentheses stay open (at most four lines); '' for
 * a blank line or one past the file.
 */
export function cStatement(n: number): string {
  const lines = seedLines();
  if (n < 1 || n >= lines.length) return '';
  let text = lines[n]!.trim();
  let depth = parenDepth(text);
  for (let i = n + 1; depth > 0 && i < lines.length && i < n + 4; i++) {
    const more = lines[i]!.trim();
    text += ` ${more}`;
    depth += parenDepth(more);
  }
  return text;
}

function parenDepth(s: string): number {
  let d = 0;
  for (const ch of s.replace(/"(?:[^"\\]|\\.)*"/g, '""')) d += ch === '(' ? 1 : ch === ')' ? -1 : 0;
  return d;
}

/** Lines `from..to` of the seed (clamped to the file), each with its number. */
export function seedExcerpt(from: number, to: number): { readonly line: number; readonly text: string }[] {
  const lines = seedLines();
  const out: { line: number; text: string }[] = [];
  for (let i = Math.max(1, from); i <= Math.min(lines.length - 1, to); i++) out.push({ line: i, text: lines[i]! });
  return out;
}

/**
 * The lines around seed line n inside its function (`radius` either side),
 * for the C pane of the report; just the line itself outside any function.
 */
export function seedContext(n: number, radius = 4): { readonly line: number; readonly text: string }[] {
  const f = SEED_FUNCTIONS.find((g) => n >= g.first && n <= g.last);
  if (f === undefined) return seedExcerpt(n, n);
  return seedExcerpt(Math.max(f.first, n - radius), Math.min(f.last, n + radius));
}

export const PORT_FILE = 'impl/vnode_pager.ts';
const PORT_PATH = fileURLToPath(new URL('../impl/vnode_pager.ts', import.meta.url));

/** A citation of a seed line on a line of the port: `arg` when the line is passed to a call, `comment` when a comment names it. */
export interface PortCite {
  readonly tsLine: number;
  readonly seed: number;
  readonly how: 'arg' | 'comment';
}

let cites: readonly PortCite[] | undefined;
let portText: readonly string[] | undefined;

function portSource(): readonly string[] {
  return (portText ??= readFileSync(PORT_PATH, 'utf8').split('\n'));
}

/*
 * The port's citations by a scan of its text, not by impl/citations.ts:
 * that one loads the TypeScript parser, a second of start-up for every
 * command that renders a trace (traces/seedmap.test.ts checks that both
 * agree). A seed line is cited as an integer argument of a call that lies in
 * the function being ported (`VM_OBJECT_WLOCK(k, object, 944)`, `KASSERT(...,
 * fn, 232, ...)`, `line: 120`), or in a comment opening with it (`/* 127 *\/`,
 * `/* 132-140 ...` cites 132).
 */
export function portCitations(): readonly PortCite[] {
  if (cites !== undefined) return cites;
  const out: PortCite[] = [];
  const arg = /(?:^|[(,])\s*(\d{2,4})\s*(?=[,)])|\bline:\s*(\d{2,4})\b/g;
  const comment = /\/\*\s*(\d{2,4})(?:-(\d{2,4}))?\b/g;
  portSource().forEach((raw, i) => {
    // Block comments of their own (headers, notes) cite nothing; a comment after code does.
    if (/^\s*(\/\*|\*|\/\/)/.test(raw)) return;
    const code = raw.replace(/\/\*.*?\*\/|\/\/.*$/g, (c) => ' '.repeat(c.length));
    for (const m of code.matchAll(arg)) {
      const n = Number(m[1] ?? m[2]);
      if (seedFunctionAt(n) !== null) out.push({ tsLine: i + 1, seed: n, how: 'arg' });
    }
    for (const m of raw.matchAll(comment)) {
      const a = Number(m[1]);
      const b = m[2] !== undefined ? Number(m[2]) : a;
      for (let n = a; n <= b && n <= a + 20; n++) if (seedFunctionAt(n) !== null) out.push({ tsLine: i + 1, seed: n, how: 'comment' });
    }
  });
  return (cites = out);
}

let portIndex: Map<number, number[]> | undefined;

/** The port's lines (impl/vnode_pager.ts, 1-based) that cite seed line n, in file order; [] when none does. */
export function portLinesCiting(n: number): readonly number[] {
  if (portIndex === undefined) {
    portIndex = new Map();
    for (const c of portCitations()) {
      const at = portIndex.get(c.seed);
      if (at === undefined) portIndex.set(c.seed, [c.tsLine]);
      else if (!at.includes(c.tsLine)) at.push(c.tsLine);
    }
  }
  return portIndex.get(n) ?? [];
}

/** The port's line `n` as written (trimmed), '' past the file. */
export function portLine(n: number): string {
  return portSource()[n - 1]?.trim() ?? '';
}
