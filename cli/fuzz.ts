/*
 * Fuzzing the command's inputs (issue 14, item 1): trace files, bare
 * counterexamples, scenario files, checkpoints, shard reports and argument
 * vectors, each a valid seed mutated structurally, run in-process through
 * main(argv, io). What must hold: exit 2 with one stderr line of bounded
 * length naming what was wrong, or a plausible 0/1/4/130; never 3, never a
 * crash, never a hang.
 *
 * cli/fuzz.test.ts runs a few hundred cases; `npm run fuzz` runs 10^4 of each
 * kind (`-- --runs N --seed S --kinds a,b`) in child processes, so that a
 * V8 abort or a hang is counted instead of ending the run, and prints the table.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { exploreCheckpointed } from '../checker/checkpoint.ts';
import { runShard } from '../checker/shard.ts';
import { tooDeep } from '../checker/counterexample.ts';
import { contentHash, tasksHash } from '../checker/integrity.ts';
import { stepBoundTrace, TINY_SCENARIO_INPUT } from '../traces/testkit.ts';
import { scenarioRef } from '../traces/checked.ts';
import { traceText } from '../traces/trace.ts';
import { memoryIo } from './io.ts';
import { main } from './main.ts';

export const KINDS = ['trace', 'cex', 'scenario', 'checkpoint', 'shard', 'argv'] as const;
export type Kind = (typeof KINDS)[number];

/** Longest stderr line accepted for a bad input. */
export const MAX_LINE = 600;
/** A run still going after this is interrupted as with Ctrl-C (exit 130 is then plausible). */
export const INTERRUPT_MS = 3000;

/* ---- seeds ---- */

export interface Seeds {
  readonly dir: string;
  readonly json: Readonly<Record<Exclude<Kind, 'argv'>, unknown>>;
  /** Valid argument vectors; TMP stands for a fresh case directory. */
  readonly argv: readonly (readonly string[])[];
}

const FINDING = join(import.meta.dirname, '..', 'traces', 'findings', 'haspage-small-block-first-block-only.json');

/** Builds one valid input of each kind under a fresh temporary directory. */
export async function makeSeeds(): Promise<Seeds> {
  const dir = mkdtempSync(join(tmpdir(), 'pagercheck-fuzz-'));
  const trace = JSON.parse(traceText(stepBoundTrace(30)));
  const cex = JSON.parse(readFileSync(FINDING, 'utf8'));
  const scenario = structuredClone(TINY_SCENARIO_INPUT) as unknown;
  const ref = scenarioRef('io-errors', 'seed', true);
  const cpFile = join(dir, 'seed.checkpoint.json');
  // A checkpoint with some tasks done and some not: stop after the first results.
  const ctl = new AbortController();
  let n = 0;
  await exploreCheckpointed(ref, { file: cpFile, workers: 0, minTasks: 4, handleSignals: false, signal: ctl.signal, onResult: () => void (++n >= 2 && ctl.abort()) });
  const checkpoint = JSON.parse(readFileSync(cpFile, 'utf8'));
  const shard = JSON.parse(JSON.stringify(await runShard(ref, { index: 0, count: 1 }, { workers: 0, minTasks: 4 })));
  const files = { trace: join(dir, 'seed.trace.json'), shard: join(dir, 'seed.shard.json'), scenario: join(dir, 'seed.scenario.json'), edited: join(dir, 'edited.json'), half0: join(dir, 'half-0.json'), half1: join(dir, 'half-1.json') };
  writeFileSync(files.trace, JSON.stringify(trace));
  writeFileSync(files.shard, JSON.stringify(shard));
  writeFileSync(files.scenario, JSON.stringify(scenario));
  // A schedule that no longer fits (a label changed in the middle), for replay --continue.
  const edited = structuredClone(cex) as { schedule: { label: string }[] };
  edited.schedule[Math.floor(edited.schedule.length / 2)]!.label = 'renamed()';
  writeFileSync(files.edited, JSON.stringify(edited));
  for (const [i, f] of [files.half0, files.half1].entries()) writeFileSync(f, JSON.stringify(await runShard(ref, { index: i, count: 2 }, { workers: 0, minTasks: 4 })));
  const argv: string[][] = [
    ['explore', files.scenario, '--max-executions', '5', '--minimize', '0', '--out', 'TMP/o'],
    ['explore', 'io-errors', '--time-budget', '2s', '--max-steps', '200', '--first', '--minimize', '0', '--no-spec', '--out', 'TMP/o'],
    ['explore', 'io-errors', '--strategy', 'pct', '--depth', '2', '--seed', '7', '--max-executions', '3', '--minimize', '0', '--out', 'TMP/o'],
    ['explore', 'io-errors', '--workers', '1', '--tasks', '4', '--out', 'TMP/o'],
    ['explore', 'io-errors', '--workers', '1', '--checkpoint', 'TMP/cp.json', '--checkpoint-interval', '1s', '--out', 'TMP/o'],
    ['explore', 'io-errors', '--workers', '1', '--shard', '0/2', '--report', 'TMP/r.json', '--out', 'TMP/o'],
    ['replay', files.trace, '--render', 'text', '--width', '30'],
    ['replay', files.edited, '--continue', '--time-budget', '2s', '--minimize', '0', '--render', 'json'],
    ['report', files.trace, '--out', 'TMP/report.html'],
    ['merge', files.shard, '--out', 'TMP/o'],
    ['merge', files.half0, files.half1, '--minimize', '0', '--out', 'TMP/o'],
    ['explore', '--resume', cpFile, '--checkpoint', 'TMP/cp.json', '--workers', '1', '--max-steps', '10000', '--out', 'TMP/o'],
  ];
  return { dir, json: { trace, cex, scenario, checkpoint, shard }, argv };
}

/* ---- mutations ---- */

type Path = readonly (string | number)[];

/** Every path into a JSON value, the root included, in a fixed order. */
export function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  // Not into a deeply nested value a mutation made: its inside is all alike.
  if (at.length >= 40) return out;
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (typeof v === 'object' && v !== null) for (const k of Object.keys(v)) paths((v as Record<string, unknown>)[k], [...at, k], out);
  return out;
}

/* A deeply nested value goes in as text: JSON.stringify would overflow the stack on it before the command sees it. */
const NEST = '\u0000pagercheck-fuzz-nested\u0000';
function nestedText(depth: number): string {
  return '[{"a":'.repeat(depth) + '0' + '}]'.repeat(depth);
}

const HUGE = [2 ** 53 - 1, 2 ** 53 + 2, 2 ** 31, 2 ** 32, 1e308, 1e21, 100_000_000, 'x'.repeat(100_000)];
const NEGATIVE = [-1, -(2 ** 53), -0.5, -1e308, -4096];
const FRACTION = [0.5, 1.5, 1e-9, 4095.5];
const UNICODE = ['é', '\u0000', '\u202e', '🙂', '__proto__', 'constructor', '', 'a'.repeat(240), 'nope', '../../etc/passwd', 'line\nbreak'];
const RETYPE: unknown[] = [null, true, false, 'x', '3', 0, [], {}, [1, 2], { x: 1 }];

/** One structural mutation: what to do, where (an index into paths()), and which replacement. */
export interface Mutation {
  readonly op: 'remove' | 'duplicate' | 'retype' | 'huge' | 'negative' | 'fraction' | 'unicode' | 'nested' | 'tweak' | 'swap' | 'truncate';
  readonly at: number;
  readonly pick: number;
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('remove', 'duplicate', 'retype', 'huge', 'negative', 'fraction', 'unicode', 'nested', 'tweak', 'swap', 'truncate'),
  at: fc.nat(),
  pick: fc.nat(),
});

function getAt(v: unknown, p: Path): unknown {
  let x = v;
  for (const k of p) x = (x as Record<string | number, unknown>)[k];
  return x;
}

function setAt(root: unknown, p: Path, value: unknown, remove = false): unknown {
  if (p.length === 0) return remove ? undefined : value;
  const parent = getAt(root, p.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const k = p[p.length - 1]!;
  if (Array.isArray(parent)) {
    if (remove) parent.splice(k as number, 1);
    else parent[k as number] = value;
  } else if (remove) delete parent[k];
  else Object.defineProperty(parent, k, { value, enumerable: true, writable: true, configurable: true });
  return root;
}

/** Applies the mutations to a copy of `seed`; returns the file text (a truncation cuts the text itself). */
export function mutate(seed: unknown, ms: readonly Mutation[]): string {
  let v: unknown = structuredClone(seed);
  let cut: number | null = null;
  for (const m of ms) {
    if (m.op === 'truncate') {
      cut = m.pick;
      continue;
    }
    const all = paths(v);
    const p = all[m.at % all.length]!;
    const cur = getAt(v, p);
    const pick = <T>(xs: readonly T[]): T => xs[m.pick % xs.length]!;
    switch (m.op) {
      case 'remove':
        v = setAt(v, p, undefined, true);
        break;
      case 'duplicate': {
        const parent = p.length ? getAt(v, p.slice(0, -1)) : undefined;
        if (Array.isArray(parent)) parent.splice(p[p.length - 1] as number, 0, structuredClone(cur));
        else if (Array.isArray(cur) && cur.length) cur.push(structuredClone(cur[m.pick % cur.length]));
        else if (typeof parent === 'object' && parent !== null) (parent as Record<string, unknown>)[`${String(p[p.length - 1])}_copy`] = structuredClone(cur);
        break;
      }
      case 'retype':
        v = setAt(v, p, structuredClone(pick(RETYPE)));
        break;
      case 'huge':
        v = setAt(v, p, Array.isArray(cur) && m.pick % 3 === 0 ? Array.from({ length: typeof cur[0] === 'object' && cur[0] !== null ? 2_000 : 20_000 }, () => structuredClone(cur[0] ?? 0)) : pick(HUGE));
        break;
      case 'negative':
        v = setAt(v, p, pick(NEGATIVE));
        break;
      case 'fraction':
        v = setAt(v, p, typeof cur === 'number' ? cur + 0.5 : pick(FRACTION));
        break;
      case 'unicode':
        v = setAt(v, p, pick(UNICODE));
        break;
      case 'nested':
        v = setAt(v, p, `${NEST}${m.pick % 2 ? 50 : 5000}`);
        break;
      case 'tweak':
        if (typeof cur === 'number') v = setAt(v, p, pick([cur + 1, cur - 1, cur * 2, cur * 1000, 0]));
        else if (typeof cur === 'string') v = setAt(v, p, pick([cur + 'x', cur.slice(1), cur.toUpperCase()]));
        else if (typeof cur === 'boolean') v = setAt(v, p, !cur);
        break;
      case 'swap': {
        const other = all[m.pick % all.length]!;
        v = setAt(v, p, structuredClone(getAt(v, other)));
        break;
      }
    }
  }
  let flat: string;
  try {
    flat = JSON.stringify(v) ?? '';
  } catch {
    // Copies of copies past V8's longest string: the fuzzer's own limit, so a truncated seed stands in for it.
    const whole = JSON.stringify(seed) ?? '';
    return whole.slice(0, whole.length >> 1);
  }
  const text = flat.replace(new RegExp(`"${NEST.replaceAll('\u0000', '\\\\u0000')}(\\d+)"`, 'g'), (_, n: string) => nestedText(Number(n)));
  return cut === null ? text : text.slice(0, cut % (text.length + 1));
}

/* argument vectors */

const WEIRD_VALUES = ['0', '-1', '1.5', '999', '1e3', '999999999999999999999', '9007199254740993', '', ' ', 'ü', '100000000000h', '0s', '0ms', '1ms', 'NaN', 'Infinity', '/nonexistent/dir/x', '/proc/version', '/', 'TMP', 'TMP/file', 'a'.repeat(300), '__proto__', '2/2', '0/0', '3/2', 'all', '--', '-x'];
const OPTIONS = ['--variant', '--strategy', '--preemptions', '--depth', '--max-executions', '--max-steps', '--seed', '--random-phase', '--no-random-phase', '--time-budget', '--out', '--first', '--no-spec', '--races', '--minimize', '--workers', '--tasks', '--shard', '--report', '--checkpoint', '--checkpoint-interval', '--resume', '--render', '--width', '--events', '--coverage', '--strict', '--machine'];

export interface ArgvMutation {
  readonly op: 'remove' | 'duplicate' | 'value' | 'insert' | 'swap';
  readonly at: number;
  readonly pick: number;
  readonly pick2: number;
}

export const argvMutationArb: fc.Arbitrary<ArgvMutation> = fc.record({
  op: fc.constantFrom('remove', 'duplicate', 'value', 'value', 'insert', 'swap'),
  at: fc.nat(),
  pick: fc.nat(),
  pick2: fc.nat(),
});

export function mutateArgv(seed: readonly string[], ms: readonly ArgvMutation[]): string[] {
  const a = [...seed];
  for (const m of ms) {
    const i = a.length ? m.at % a.length : 0;
    switch (m.op) {
      case 'remove':
        a.splice(i, 1);
        break;
      case 'duplicate':
        if (a.length) a.splice(i, 0, a[i]!);
        break;
      case 'value': {
        // Replace an option's value (the token after an option), or any token.
        const j = a.findIndex((t, k) => k >= i && t.startsWith('--') && k + 1 < a.length && !a[k + 1]!.startsWith('--'));
        a[j >= 0 ? j + 1 : i] = WEIRD_VALUES[m.pick % WEIRD_VALUES.length]!;
        break;
      }
      case 'insert':
        a.splice(i, 0, OPTIONS[m.pick % OPTIONS.length]!, WEIRD_VALUES[m.pick2 % WEIRD_VALUES.length]!);
        break;
      case 'swap': {
        const j = a.length ? m.pick % a.length : 0;
        [a[i], a[j]] = [a[j]!, a[i]!];
        break;
      }
    }
  }
  return a;
}

/* ---- cases ---- */

/** `alt` 1: trace and counterexample files go to replay --continue instead of replay. */
export type FuzzCase = { readonly kind: Exclude<Kind, 'argv'>; readonly text: string; readonly alt?: number } | { readonly kind: 'argv'; readonly argv: readonly string[] };

/*
 * An edit of a checkpoint or shard report is refused by its content hash at
 * once; `fix` makes the hashes agree again after the mutation (1: the content
 * hash; 2: a checkpoint's planHash too), as a user editing with care would,
 * so that the checks behind the hash are fuzzed too.
 */
export function fixHashes(text: string, fix: number): string {
  if (fix <= 0) return text;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return text;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v) || tooDeep(v)) return text;
  const o = v as Record<string, unknown>;
  if (fix >= 2 && Array.isArray(o['tasks'])) o['planHash'] = tasksHash(o['tasks'] as never);
  const { hash: _old, ...rest } = o;
  return JSON.stringify({ ...rest, hash: contentHash(rest) });
}

/** A mutated file of `kind`: the mutations, then the hashes fixed (`fix`) or the other command (`alt`). */
export function fileCase(seeds: Seeds, kind: Exclude<Kind, 'argv'>, ms: readonly Mutation[], fix: number): FuzzCase {
  const text = mutate(seeds.json[kind], ms);
  if (kind === 'checkpoint' || kind === 'shard') return { kind, text: fixHashes(text, fix) };
  return { kind, text, alt: fix % 2 };
}

export function caseArb(seeds: Seeds, kind: Kind): fc.Arbitrary<FuzzCase> {
  if (kind === 'argv')
    return fc.record({ s: fc.nat(), ms: fc.array(argvMutationArb, { minLength: 0, maxLength: 3 }) }).map(({ s, ms }) => ({ kind, argv: mutateArgv(seeds.argv[s % seeds.argv.length]!, ms) }));
  return fc.record({ ms: fc.array(mutationArb, { minLength: 1, maxLength: 3 }), fix: fc.nat(2) }).map(({ ms, fix }) => fileCase(seeds, kind, ms, fix));
}

/** The command line that reads a mutated file. */
function argvFor(kind: Exclude<Kind, 'argv'>, file: string, tmp: string, alt = 0): string[] {
  switch (kind) {
    case 'trace':
    case 'cex':
      return alt === 1 ? ['replay', file, '--continue', '--time-budget', '2s', '--minimize', '0'] : ['replay', file];
    case 'scenario':
      return ['explore', file, '--max-executions', '20', '--time-budget', '2s', '--minimize', '0', '--out', join(tmp, 'o')];
    case 'checkpoint':
      return ['explore', '--resume', file, '--checkpoint', join(tmp, 'cp2.json'), '--workers', '1', '--out', join(tmp, 'o')];
    case 'shard':
      return ['merge', file, '--out', join(tmp, 'o')];
  }
}

export type Verdict = 'exit2' | 'exit01' | 'badline' | 'exit3' | 'crash' | 'hang';

export interface CaseResult {
  readonly verdict: Verdict;
  readonly code: number | null;
  readonly argv: readonly string[];
  readonly stderr: string;
  readonly ms: number;
}

let counter = 0;

/** Runs one case in this process; `hangMs` is how long after the interrupt it may still take. */
export async function runCase(c: FuzzCase, root: string, hangMs = 20_000): Promise<CaseResult> {
  const tmp = join(root, `case-${process.pid}-${counter++}`);
  mkdirSync(tmp, { recursive: true });
  let argv: string[];
  let named: string[];
  if (c.kind === 'argv') {
    argv = c.argv.map((t) => t.replaceAll('TMP', tmp));
    named = argv;
    writeFileSync(join(tmp, 'file'), 'not a directory\n');
  } else {
    const file = join(tmp, `${c.kind}.json`);
    writeFileSync(file, c.text);
    argv = argvFor(c.kind, file, tmp, c.alt);
    named = [file];
  }
  const io = memoryIo();
  const t0 = performance.now();
  const interrupt = setTimeout(() => io.interrupt(), INTERRUPT_MS);
  let hung: NodeJS.Timeout | undefined;
  let code: number | null = null;
  let verdict: Verdict;
  try {
    const r = await Promise.race([
      main(argv, io),
      new Promise<'hang'>((res) => {
        hung = setTimeout(() => res('hang'), INTERRUPT_MS + hangMs);
      }),
    ]);
    if (r === 'hang') verdict = 'hang';
    else {
      code = r;
      verdict = classify(r, io.stderr, named);
    }
  } catch {
    verdict = 'crash';
  } finally {
    clearTimeout(interrupt);
    clearTimeout(hung);
  }
  const ms = performance.now() - t0;
  if (verdict !== 'hang') rmSync(tmp, { recursive: true, force: true });
  return { verdict, code, argv, stderr: io.stderr, ms };
}

/** What a finished run's exit code and stderr amount to. */
export function classify(code: number, stderr: string, named: readonly string[]): Verdict {
  // 4: a run that stopped early (a mutated bound) says so; a plausible end like 0, 1 and 130.
  if (code === 0 || code === 1 || code === 4 || code === 130) return 'exit01';
  if (code === 3) return 'exit3';
  if (code !== 2) return 'crash';
  return goodBadInputLine(stderr, named) ? 'exit2' : 'badline';
}

/** One line, bounded, starting "pagercheck: ", naming one of the inputs (a file, or an argument or option given). */
export function goodBadInputLine(stderr: string, named: readonly string[]): boolean {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1) return false;
  const l = lines[0]!;
  if (l.length > MAX_LINE || !l.startsWith('pagercheck: ')) return false;
  return named.some((t) => t.trim().length >= 1 && l.includes(t.slice(0, 40))) || /--[a-z]/.test(l) || /\bcommand\b|\bargument\b|\bscenario\b/.test(l);
}

/* ---- the table (npm run fuzz) ---- */

export type Tally = Record<Verdict, number> & { cases: number };

export function emptyTally(): Tally {
  return { cases: 0, exit2: 0, exit01: 0, badline: 0, exit3: 0, crash: 0, hang: 0 };
}

export function tableText(rows: readonly (readonly [string, Tally])[]): string {
  const head = ['input', 'cases', 'exit 2', 'exit 0/1', 'exit 2, bad line', 'exit 3', 'crashes', 'hangs'];
  const body = rows.map(([k, t]) => [k, t.cases, t.exit2, t.exit01, t.badline, t.exit3, t.crash, t.hang].map(String));
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n') + '\n';
}

/* Child: runs cases [from, runs) of one kind, reporting each before and after. */
async function child(kind: Kind, from: number, runs: number, seed: number): Promise<void> {
  const seeds = await makeSeeds();
  process.chdir(seeds.dir);
  const cases = fc.sample(caseArb(seeds, kind), { seed, numRuns: runs });
  for (let i = from; i < runs; i++) {
    process.send!({ begin: i });
    const r = await runCase(cases[i]!, seeds.dir);
    process.send!({ end: i, verdict: r.verdict, code: r.code, argv: r.argv.map((a) => a.slice(0, 80)), stderr: r.stderr.slice(0, 400) });
  }
  rmSync(seeds.dir, { recursive: true, force: true });
  process.send!({ done: true }, () => process.exit(0));
}

/* `--case KIND I [SEED RUNS]`: runs case I in this process and shows it, to look into a failure of the table. */
async function oneCase(kind: Kind, i: number, seed: number, runs: number): Promise<void> {
  const seeds = await makeSeeds();
  process.chdir(seeds.dir);
  const c = fc.sample(caseArb(seeds, kind), { seed, numRuns: runs })[i]!;
  process.stdout.write(`${JSON.stringify(c).slice(0, 2000)}\n`);
  const r = await runCase(c, seeds.dir);
  process.stdout.write(`${r.verdict} (exit ${r.code}, ${r.ms.toFixed(0)} ms)\n${r.stderr.slice(0, 4000)}\n`);
  process.exit(0);
}

function runKind(kind: Kind, runs: number, seed: number, caseTimeoutMs: number, examples: string[]): Promise<Tally> {
  const t = emptyTally();
  return new Promise((resolve) => {
    const start = (from: number) => {
      if (from >= runs) return resolve(t);
      let current = from;
      let timer: NodeJS.Timeout | undefined;
      let finished = false;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          t.cases++;
          t.hang++;
          examples.push(`${kind} #${current}: hang`);
          finished = true;
          cp.kill('SIGKILL');
        }, caseTimeoutMs);
      };
      const cp: ChildProcess = fork(import.meta.filename, ['--child', kind, String(from), String(runs), String(seed)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      let stderr = '';
      cp.stderr!.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-2000)));
      // Armed at each case's start: building the seeds may take long on a loaded machine.
      cp.on('message', (m: { begin?: number; end?: number; verdict?: Verdict; code?: number; argv?: string[]; stderr?: string; done?: boolean }) => {
        if (m.begin !== undefined) {
          current = m.begin;
          arm();
        } else if (m.end !== undefined) {
          t.cases++;
          t[m.verdict!]++;
          if (m.verdict !== 'exit2' && m.verdict !== 'exit01' && examples.length < 200) examples.push(`${kind} #${m.end}: ${m.verdict} (exit ${m.code}) ${JSON.stringify(m.argv)}: ${m.stderr?.split('\n').slice(0, 2).join(' | ')}`);
        } else if (m.done) finished = true;
      });
      cp.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (finished && code === 0) return resolve(t);
        if (!finished) {
          // Died inside case `current`: a crash (a V8 abort, a signal, an uncaught error).
          t.cases++;
          t.crash++;
          examples.push(`${kind} #${current}: crash (exit ${code}, signal ${signal}): ${stderr.split('\n').filter(Boolean).slice(-2).join(' | ').slice(0, 300)}`);
        }
        start(current + 1);
      });
    };
    start(0);
  });
}

async function cli(args: string[]): Promise<void> {
  const get = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
  };
  const runs = Number(get('--runs', '10000'));
  const seed = Number(get('--seed', '14'));
  const kinds = get('--kinds', KINDS.join(',')).split(',') as Kind[];
  const log = get('--log', '');
  for (const k of kinds)
    if (!(KINDS as readonly string[]).includes(k)) {
      process.stderr.write(`fuzz: unknown kind "${k}"; accepted: ${KINDS.join(', ')} (comma-separated)\n`);
      process.exit(2);
    }
  if (!Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(seed)) {
    process.stderr.write('fuzz: --runs takes a whole number >= 1 and --seed a whole number\n');
    process.exit(2);
  }
  if (log) writeFileSync(log, '');
  const rows: [string, Tally][] = [];
  const examples: string[] = [];
  for (const k of kinds) {
    const t0 = performance.now();
    const from = examples.length;
    rows.push([k, await runKind(k, runs, seed, 60_000, examples)]);
    process.stderr.write(`fuzz: ${k}: ${runs} cases in ${((performance.now() - t0) / 1000).toFixed(0)} s\n${tableText(rows.slice(-1))}`);
    if (log) appendFileSync(log, examples.slice(from).map((e) => e + '\n').join(''));
  }
  process.stdout.write(`seed ${seed}, ${runs} cases per input\n${tableText(rows)}`);
  if (!log && examples.length) process.stdout.write(`\nfirst failures:\n${examples.slice(0, 20).join('\n')}\n`);
  const bad = rows.some(([, t]) => t.badline + t.exit3 + t.crash + t.hang > 0);
  process.exit(bad ? 1 : 0);
}

if (process.argv[1] === import.meta.filename) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') await child(args[1] as Kind, Number(args[2]), Number(args[3]), Number(args[4]));
  else if (args[0] === '--case') await oneCase(args[1] as Kind, Number(args[2]), Number(args[3] ?? 14), Number(args[4] ?? 10_000));
  else await cli(args);
}
