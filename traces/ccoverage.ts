/*
 * Coverage of the C: which lines of seed/vnode_pager.c the explored
 * executions reached, per scenario and variant.
 *
 * Two mechanisms, each exact for what it claims:
 *  - steps (the main job and `pagercheck coverage --c`): every scheduling
 *    point of the port carries its seed line (StepRecord.line). A wrapper of
 *    the search strategy sees each execution that the explorer counts (not
 *    those cut as redundant, not the re-runs of an iterative bound) and
 *    counts, per seed line, the executions with a step there; also the
 *    executions in which a thread was preempted at that scheduling point (it
 *    was ready and another thread ran), and those in which a KASSERT failed
 *    there. Cost: one pass over each execution's steps.
 *  - v8 (`pagercheck coverage --c` only: block coverage slows the search by
 *    about half): V8's precise block coverage of the port, read once per run.
 *    The port's code keeps its seed-line citations as literals (`VM_OBJECT_
 *    WLOCK(k, object, 944)`, `KASSERT(..., 766)`), so each citation site of
 *    the running script is located in its text and its block's count read:
 *    whether some execution reached it (exact), and how often the block ran
 *    (a count of block entries, not of executions). KASSERT sites (reached,
 *    and their `if` evaluated) and the `if` statements of the ported
 *    functions (then-branch taken, not taken) come from here.
 * Neither runs while minimizing or recording counterexamples.
 */
import { Session } from 'node:inspector';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ExecutionResult, ExecutionView, StepRecord, ThreadView } from '../checker/runtime.ts';
import type { Strategy, StrategyInfo } from '../checker/strategy.ts';
import { SEED_FILE, SEED_REVISION, seedLines } from '../seed/seed.ts';
import { PORT_FILE, SEED_FUNCTIONS, portCitations, portLine, seedFunctionAt } from './seedmap.ts';

/* ---- collecting ---- */

export interface CCoverageOptions {
  /** Also read V8's block coverage of the port once per run (slower search). */
  readonly v8?: boolean;
}

interface RunCounts {
  readonly name: string;
  executions: number;
  readonly lines: Int32Array;
  readonly preempt: Int32Array;
  readonly failed: Int32Array;
  sites?: readonly SiteCount[];
  branches?: readonly BranchCount[];
}

/** A citation of a seed line in the running port's code, and how often its block ran. */
export interface SiteCount {
  readonly line: number;
  readonly kind: 'kassert' | 'call';
  readonly hits: number;
}

/** An `if` of a ported function: how often its condition was evaluated and how often the then-branch ran. */
export interface BranchCount {
  readonly fn: string;
  /** The seed line the port cites nearest to the `if` in the same function (its place in the C). */
  readonly near: number | null;
  readonly cond: string;
  readonly evaluated: number;
  readonly taken: number;
}

/**
 * Collects C coverage over runs (one exploration of a scenario on a variant
 * each): `wrap` the run's strategy, call `exploring` before and `explored`
 * after the exploration.
 */
export class CCollector {
  private readonly n = seedLines().length;
  private readonly runs: RunCounts[] = [];
  private current: RunCounts | null = null;
  private readonly session: Session | null = null;

  constructor(readonly opts: CCoverageOptions = {}) {
    if (opts.v8) {
      this.session = new Session();
      this.session.connect();
      this.post('Profiler.enable');
      this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
    }
  }

  private post(method: string, params: object = {}): any {
    let out: unknown;
    let err: unknown;
    // In-process inspector sessions answer synchronously.
    this.session!.post(method, params, (e, r) => {
      err = e;
      out = r;
    });
    if (err) throw err as Error;
    return out;
  }

  /** A run begins: counts from here on belong to `name` ("scenario@variant"). */
  exploring(name: string): void {
    this.current = { name, executions: 0, lines: new Int32Array(this.n), preempt: new Int32Array(this.n), failed: new Int32Array(this.n) };
    this.runs.push(this.current);
    if (this.session) this.post('Profiler.takePreciseCoverage'); // drops what ran before (other runs' minimization, recording)
  }

  /** The run's exploration has ended. */
  explored(): void {
    const run = this.current;
    if (run === null) return;
    if (this.session) {
      const cov = this.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] };
      const read = portCoverage(cov.result, (id) => (this.post('Debugger.getScriptSource', { scriptId: id }) as { scriptSource: string }).scriptSource, () => this.post('Debugger.enable'));
      if (read) {
        run.sites = read.sites;
        run.branches = read.branches;
      }
    }
    this.current = null;
  }

  /** The strategy, counting what each counted execution reached into the run current when its first execution begins. */
  wrap(inner: Strategy): Strategy {
    return new CountingStrategy(inner, () => this.current, this.n);
  }

  /** Stops V8 coverage (when on). */
  close(): void {
    if (this.session) {
      this.post('Profiler.stopPreciseCoverage');
      this.session.disconnect();
    }
  }

  data(what: string): CCoverageData {
    const sparse = (pick: (r: RunCounts) => Int32Array): Record<string, number[]> => {
      const out: Record<string, number[]> = {};
      for (let l = 1; l < this.n; l++) {
        if (!this.runs.some((r) => pick(r)[l]! > 0)) continue;
        out[String(l)] = this.runs.map((r) => pick(r)[l]!);
      }
      return out;
    };
    const v8 = this.runs.length > 0 && this.runs.every((r) => r.sites !== undefined);
    const base: CCoverageData = {
      format: 'pagercheck-c-coverage',
      version: 1,
      seed: { file: SEED_FILE, revision: SEED_REVISION },
      what,
      runs: this.runs.map((r) => ({ name: r.name, executions: r.executions })),
      lines: sparse((r) => r.lines),
      preemptions: sparse((r) => r.preempt),
      kassertFailed: sparse((r) => r.failed),
    };
    if (!v8) return base;
    // Sites and branches are the same for every run of one script: merge their counts per run.
    const sites = this.runs[0]!.sites!.map((s, i) => ({ line: s.line, kind: s.kind, hits: this.runs.map((r) => r.sites![i]?.hits ?? 0) }));
    const branches = this.runs[0]!.branches!.map((b, i) => ({
      fn: b.fn,
      near: b.near,
      cond: b.cond,
      evaluated: this.runs.reduce((a, r) => a + (r.branches![i]?.evaluated ?? 0), 0),
      taken: this.runs.reduce((a, r) => a + (r.branches![i]?.taken ?? 0), 0),
    }));
    return { ...base, sites, branches };
  }
}

/* A delegating strategy: what it adds is counting, after the search's own decisions. */
class CountingStrategy implements Strategy {
  private readonly stamp: Int32Array;
  private readonly pstamp: Int32Array;
  private readonly pre: number[] = [];
  private serial = 0;
  private run: RunCounts | null = null;
  onStep?: (rec: StepRecord, exec: ExecutionView) => void;
  fractionDone?: () => number;
  remainingAtLeast?: () => number;

  constructor(
    private readonly inner: Strategy,
    private readonly currentRun: () => RunCounts | null,
    n: number,
  ) {
    this.stamp = new Int32Array(n);
    this.pstamp = new Int32Array(n);
    if (inner.onStep) this.onStep = (rec, exec) => inner.onStep!(rec, exec);
    if (inner.fractionDone) this.fractionDone = () => inner.fractionDone!();
    if (inner.remainingAtLeast) this.remainingAtLeast = () => inner.remainingAtLeast!();
  }
  get name(): string {
    return this.inner.name;
  }
  get exhaustive(): boolean {
    return this.inner.exhaustive;
  }
  get complete(): boolean {
    return this.inner.complete;
  }
  get lastRepeated(): boolean | undefined {
    return this.inner.lastRepeated;
  }
  get lastPreemptions(): number | undefined {
    return this.inner.lastPreemptions;
  }
  beginExecution(): boolean {
    this.pre.length = 0;
    if (this.run === null) {
      this.run = this.currentRun();
      if (this.run === null) throw new Error('C coverage: an execution began outside a run (CCollector.exploring was not called)');
    }
    return this.inner.beginExecution();
  }
  pickThread(ready: readonly ThreadView[], exec: ExecutionView): number {
    const t = this.inner.pickThread(ready, exec);
    const last = exec.lastTid;
    if (t !== last && last >= 0)
      for (let i = 0; i < ready.length; i++)
        if (ready[i]!.tid === last) {
          const l = ready[i]!.op.line;
          if (l !== undefined) this.pre.push(l);
          break;
        }
    return t;
  }
  pickChoice(n: number, label: string, exec: ExecutionView): number {
    return this.inner.pickChoice(n, label, exec);
  }
  endExecution(result: ExecutionResult<unknown> | null): void {
    this.inner.endExecution(result);
    // The explorer counts exactly these: run to their end, and not a repeat of an earlier bound.
    if (result === null || this.inner.lastRepeated === true) return;
    const id = ++this.serial;
    const run = this.run!;
    run.executions++;
    const steps = result.steps;
    for (let i = 0; i < steps.length; i++) {
      const l = steps[i]!.line;
      if (l !== undefined && this.stamp[l] !== id) {
        this.stamp[l] = id;
        run.lines[l]!++;
      }
    }
    for (const l of this.pre)
      if (this.pstamp[l] !== id) {
        this.pstamp[l] = id;
        run.preempt[l]!++;
      }
    const st = result.result;
    if (st.status === 'violation' && st.violation.kind === 'assertion' && st.violation.assertion === 'KASSERT' && st.violation.line !== undefined) {
      const l = st.violation.line;
      if (this.stamp[l] !== id) {
        this.stamp[l] = id;
        run.lines[l]!++;
      }
      run.failed[l]!++;
    }
  }
  counters(): Readonly<Record<string, number>> {
    return this.inner.counters();
  }
  info(): StrategyInfo {
    return this.inner.info();
  }
}

/* ---- V8 block coverage of the port ---- */

interface CoverageRange {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}
interface ScriptCoverage {
  readonly scriptId: string;
  readonly url: string;
  readonly functions: readonly { readonly functionName: string; readonly ranges: readonly CoverageRange[]; readonly isBlockCoverage: boolean }[];
}

/** The port's code inside a script: the whole script when it is the port itself, else the bundle's section of it. */
export function portSection(url: string, source: string): { readonly from: number; readonly to: number } | null {
  if (url.endsWith(`/${PORT_FILE}`)) return { from: 0, to: source.length };
  const marker = `\n// ${PORT_FILE}\n`;
  const at = source.indexOf(marker);
  if (at < 0) return null;
  const from = at + marker.length;
  const next = /\n\/\/ [\w./-]+\.(?:ts|js|mjs)\n/g;
  next.lastIndex = from;
  const m = next.exec(source);
  return { from, to: m ? m.index : source.length };
}

/** Count of the innermost range holding offset `x`, and the name of the innermost function holding it. */
function countAt(fns: ScriptCoverage['functions'], x: number): { count: number; fn: string } {
  let best: CoverageRange | null = null;
  let fn = '';
  let fnRange: CoverageRange | null = null;
  for (const f of fns) {
    const top = f.ranges[0];
    if (top === undefined || x < top.startOffset || x >= top.endOffset) continue;
    if (fnRange === null || top.endOffset - top.startOffset < fnRange.endOffset - fnRange.startOffset) {
      fnRange = top;
      fn = f.functionName;
    }
    for (const r of f.ranges)
      if (x >= r.startOffset && x < r.endOffset && (best === null || r.endOffset - r.startOffset <= best.endOffset - best.startOffset)) best = r;
  }
  return { count: best?.count ?? 0, fn };
}

/** The end of the parenthesized expression opening at `open` (an offset of '('), skipping strings. */
function closeParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < s.length && s[i] !== c; i++) if (s[i] === '\\') i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

const SEED_NAMES = new Set(SEED_FUNCTIONS.map((f) => f.name));

/** The port itself, or a bundle of the command (dist/, built by npm run build, or the older run-time cache). */
export function mayHoldPort(url: string): boolean {
  return url.endsWith(`/${PORT_FILE}`) || /\/(dist|node_modules\/\.cache\/pagercheck)\/[a-z-]+-[0-9a-f]{16}\.mjs$/.test(url);
}

/**
 * From one coverage snapshot, the port's citation sites and `if`s with their
 * counts; null when no script holds the port.
 */
export function portCoverage(scripts: readonly ScriptCoverage[], sourceOf: (scriptId: string) => string, enable: () => void): { sites: SiteCount[]; branches: BranchCount[] } | null {
  let enabled = false;
  for (const sc of scripts) {
    if (!mayHoldPort(sc.url)) continue;
    if (!enabled) {
      enable();
      enabled = true;
    }
    const src = sourceOf(sc.scriptId);
    const sec = portSection(sc.url, src);
    if (sec === null) continue;
    return sitesAndBranches(src, sec, sc.functions);
  }
  return null;
}

/** The ported function (a seed function's name) whose text holds offset x, by the nearest `function NAME(` before it. */
function enclosingFunction(src: string, from: number, x: number): string | null {
  const re = /\bfunction\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(/g;
  re.lastIndex = from;
  let name: string | null = null;
  for (let m = re.exec(src); m !== null && m.index < x; m = re.exec(src)) name = m[1]!;
  return name !== null && SEED_NAMES.has(name) ? name : null;
}

/** The last match of `re` (global) in src[lo, hi). */
function lastMatch(src: string, re: RegExp, lo: number, hi: number): RegExpExecArray | null {
  re.lastIndex = lo;
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(src); m !== null && m.index < hi; m = re.exec(src)) last = m;
  return last;
}

/*
 * Works on the port's code as V8 runs it, laid out by esbuild either way:
 * formatted in the bundle, with whitespace removed under tsx. Everything is
 * found in the text alone, so that the list of sites and branches is the
 * same for every run and counts merge by index.
 */
/** The top-level arguments of the call whose '(' is at `open`, as [start, end) offsets. */
function callArgs(src: string, open: number): [number, number][] {
  const out: [number, number][] = [];
  let depth = 0;
  let from = open + 1;
  for (let i = open; i < src.length; i++) {
    const c = src[i]!;
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < src.length && src[i] !== c; i++) if (src[i] === '\\') i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (--depth === 0) {
        if (src.slice(from, i).trim() !== '') out.push([from, i]);
        return out;
      }
    } else if (c === ',' && depth === 1) {
      out.push([from, i]);
      from = i + 1;
    }
  }
  return out;
}

/*
 * Works on the port's code as V8 runs it, laid out by esbuild either way:
 * formatted in the bundle, with whitespace removed under tsx. Everything is
 * found in the text alone, so that the list of sites and branches is the
 * same for every run and counts merge by index.
 */
export function sitesAndBranches(src: string, sec: { from: number; to: number }, fns: ScriptCoverage['functions']): { sites: SiteCount[]; branches: BranchCount[] } {
  const text = src.slice(sec.from, sec.to);
  const sites: (SiteCount & { at: number })[] = [];
  const inside: [number, number][] = [];
  // KASSERT(exp, fn, LINE, fmt, ...) and panic(fn, LINE, fmt, ...) (impl/kernel/kassert.ts): reached when the call runs.
  for (const m of text.matchAll(/\b(KASSERT|panic)\d*\(/g)) {
    const at = sec.from + m.index!;
    const open = at + m[0].length - 1;
    const args = callArgs(src, open);
    const a = args[m[1] === 'KASSERT' ? 2 : 1];
    if (a === undefined) continue;
    const line = Number(src.slice(a[0], a[1]).trim());
    if (!Number.isInteger(line) || seedFunctionAt(line) === null) continue;
    inside.push([open, closeParen(src, open)]);
    sites.push({ line, kind: m[1] === 'KASSERT' ? 'kassert' : 'call', hits: countAt(fns, at).count, at });
  }
  // A seed line passed to a call: an integer literal argument that is a line of the function the call is made in.
  const cites: { line: number; at: number }[] = [];
  for (const m of text.matchAll(/[\w$]\s*\(/g)) {
    const open = sec.from + m.index! + m[0].length - 1;
    for (const [a, b] of callArgs(src, open)) {
      const lit = src.slice(a, b).trim();
      if (!/^\d{2,4}$/.test(lit)) continue;
      const line = Number(lit);
      const fn = seedFunctionAt(line);
      if (fn === null || enclosingFunction(src, sec.from, a) !== fn) continue;
      cites.push({ line, at: a + src.slice(a, b).indexOf(lit) });
    }
  }
  for (const m of text.matchAll(/\bline:\s*(\d{2,4})\b/g)) cites.push({ line: Number(m[1]), at: sec.from + m.index! });
  for (const { line, at } of cites) {
    if (seedFunctionAt(line) === null) continue;
    if (inside.some(([a, b]) => at > a && at < b)) continue;
    const lo = Math.max(sec.from, at - 600);
    let probe = at;
    let kassert = false;
    // The inline form, `if (!exp) throw new KernelAssertion("KASSERT", fn, msg, LINE)`: reached when its `if` runs.
    const inline = lastMatch(src, /\bthrow\s*new\s+KernelAssertion\d*\(\s*"KASSERT"/g, lo, at);
    if (inline && closeParen(src, src.indexOf('(', inline.index)) >= at) {
      kassert = true;
      const ifm = lastMatch(src, /\bif\s*\(/g, lo, inline.index);
      probe = ifm && closeParen(src, ifm.index + ifm[0].length - 1) < inline.index ? ifm.index : inline.index;
    }
    sites.push({ line, kind: kassert ? 'kassert' : 'call', hits: countAt(fns, probe).count, at });
  }
  sites.sort((x, y) => x.at - y.at);
  const branches: BranchCount[] = [];
  for (const m of text.matchAll(/\bif\s*\(/g)) {
    const at = sec.from + m.index!;
    const open = at + m[0].length - 1;
    const close = closeParen(src, open);
    if (close < 0) continue;
    const cond = src.slice(open + 1, close).replace(/\s+/g, ' ');
    if (/\bk\.patched\(/.test(cond)) continue; // a variant's branch, not the C's
    const fn = enclosingFunction(src, sec.from, at);
    if (fn === null) continue;
    let then = close + 1;
    while (then < src.length && /\s/.test(src[then]!)) then++;
    // Where in the C: the citation nearest to the `if` within the same function.
    let near: number | null = null;
    let dist = Infinity;
    for (const s of sites) {
      const d = Math.abs(s.at - at);
      if (d < dist && seedFunctionAt(s.line) === fn) {
        dist = d;
        near = s.line;
      }
    }
    branches.push({ fn, near, cond: cond.length > 100 ? `${cond.slice(0, 97)}...` : cond, evaluated: countAt(fns, at).count, taken: countAt(fns, then).count });
  }
  return { sites: sites.map(({ line, kind, hits }) => ({ line, kind, hits })), branches };
}

/* ---- the data ---- */

export interface CCoverageData {
  readonly format: 'pagercheck-c-coverage';
  readonly version: 1;
  readonly seed: { readonly file: string; readonly revision: string };
  readonly what: string;
  /** The runs, in order: "scenario@variant" and the executions counted. */
  readonly runs: readonly { readonly name: string; readonly executions: number }[];
  /** Seed line -> per run, the executions with a step at that line (steps mechanism; exact). */
  readonly lines: Readonly<Record<string, readonly number[]>>;
  /** Seed line -> per run, the executions in which a ready thread was preempted at that scheduling point. */
  readonly preemptions: Readonly<Record<string, readonly number[]>>;
  /** Seed line -> per run, the executions in which the KASSERT there failed. */
  readonly kassertFailed: Readonly<Record<string, readonly number[]>>;
  /** v8 mechanism: per citation site of the port, its block's entries per run. */
  readonly sites?: readonly { readonly line: number; readonly kind: 'kassert' | 'call'; readonly hits: readonly number[] }[];
  /** v8 mechanism: per `if` of a ported function, summed over the runs. */
  readonly branches?: readonly BranchCount[];
}

const counts = z.record(z.string().regex(/^\d+$/), z.array(z.number().int().min(0)));
const schema = z.strictObject({
  format: z.literal('pagercheck-c-coverage'),
  version: z.literal(1),
  seed: z.strictObject({ file: z.string(), revision: z.string() }),
  what: z.string(),
  runs: z.array(z.strictObject({ name: z.string(), executions: z.number().int().min(0) })),
  lines: counts,
  preemptions: counts,
  kassertFailed: counts,
  sites: z.array(z.strictObject({ line: z.number().int().min(1), kind: z.enum(['kassert', 'call']), hits: z.array(z.number().int().min(0)) })).optional(),
  branches: z
    .array(z.strictObject({ fn: z.string(), near: z.number().int().nullable(), cond: z.string(), evaluated: z.number().int().min(0), taken: z.number().int().min(0) }))
    .optional(),
});

/** Reads a C coverage file; a one-line Error naming the field when it is not one. */
export function loadCCoverage(file: string): CCoverageData {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not a readable JSON file (${(e as Error).message.split('\n')[0]}); accepted: a C coverage file written by pagercheck (coverage.c.json)`);
  }
  const r = schema.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${file}: ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  }
  return r.data as CCoverageData;
}

/* ---- what the C offers to cover ---- */

/** Seed lines inside functions that hold a KASSERT. */
export function kassertLines(): number[] {
  const lines = seedLines();
  const out: number[] = [];
  for (let l = 1; l < lines.length; l++) if (/^\s*KASSERT\(/.test(lines[l]!) && seedFunctionAt(l) !== null) out.push(l);
  return out;
}

/**
 * Seed lines the steps mechanism can see: those the port passes as the line
 * argument of a call on a `yield` line. The callee may
 * still make its step without the line (e.g. a VOP_BMAP that does not
 * sleep): such a line is reached for V8 and not for the steps.
 */
export function schedulingLines(): number[] {
  if (schedCache !== undefined) return schedCache;
  const out = new Set<number>();
  for (const c of portCitations()) if (c.how === 'arg' && /\byield\b/.test(portLine(c.tsLine))) out.add(c.seed);
  return (schedCache = [...out].sort((a, b) => a - b));
}
let schedCache: number[] | undefined;

export interface CSummary {
  /** Steps mechanism: scheduling-point lines reached of those the port has. */
  readonly lines: { readonly reached: number; readonly total: number };
  readonly preemptionPoints: number;
  /** KASSERTs of the C: reached (v8, or failed for the steps mechanism alone) of total. */
  readonly kasserts: { readonly reached: number | null; readonly failed: number; readonly total: number };
  /** v8: branch directions taken of 2 per `if` of the ported functions. */
  readonly branches: { readonly directions: number; readonly total: number; readonly both: number; readonly ifs: number } | null;
  readonly executions: number;
}

const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);

export function cSummary(d: CCoverageData): CSummary {
  const sched = new Set(schedulingLines());
  const reached = new Set(Object.keys(d.lines).map(Number).filter((l) => sum(d.lines[String(l)]!) > 0));
  for (const l of reached) sched.add(l);
  const ka = kassertLines();
  const failed = ka.filter((l) => sum(d.kassertFailed[String(l)] ?? []) > 0).length;
  let kreached: number | null = null;
  if (d.sites) {
    const hit = new Set(d.sites.filter((s) => s.kind === 'kassert' && sum(s.hits) > 0).map((s) => s.line));
    kreached = ka.filter((l) => hit.has(l) || sum(d.kassertFailed[String(l)] ?? []) > 0).length;
  }
  let branches: CSummary['branches'] = null;
  if (d.branches) {
    let directions = 0;
    let both = 0;
    for (const b of d.branches) {
      const t = b.taken > 0 ? 1 : 0;
      const n = b.evaluated > b.taken ? 1 : 0;
      directions += t + n;
      if (t + n === 2) both++;
    }
    branches = { directions, total: 2 * d.branches.length, both, ifs: d.branches.length };
  }
  return {
    lines: { reached: reached.size, total: sched.size },
    preemptionPoints: Object.keys(d.preemptions).length,
    kasserts: { reached: kreached, failed, total: ka.length },
    branches,
    executions: sum(d.runs.map((r) => r.executions)),
  };
}

function pct(a: number, b: number): string {
  return b === 0 ? '-' : `${Math.round((100 * a) / b)}%`;
}

/** One line for the main job. */
export function cSummaryLine(d: CCoverageData): string {
  const s = cSummary(d);
  const k = s.kasserts.reached !== null ? `KASSERTs ${s.kasserts.reached}/${s.kasserts.total} reached (${s.kasserts.failed} failed)` : `KASSERTs ${s.kasserts.failed}/${s.kasserts.total} failed, reached: see pagercheck coverage --c`;
  const b = s.branches ? `branches ${s.branches.directions}/${s.branches.total} directions (${s.branches.both}/${s.branches.ifs} ifs both ways)` : 'branches: see pagercheck coverage --c';
  return `C coverage of ${SEED_FILE} over ${s.executions} executions: scheduling-point lines ${s.lines.reached}/${s.lines.total} (${pct(s.lines.reached, s.lines.total)}), ${s.preemptionPoints} preemption points; ${k}; ${b}\n`;
}

/* ---- lines no scenario reaches, and why ---- */

/**
 * Why the catalog cannot reach some seed lines: seed line ranges (inclusive)
 * with the reason. Lines not reached and not listed here are gaps of the
 * catalog (no reason known), listed as such.
 */
export const UNREACHABLE: readonly { readonly from: number; readonly to: number; readonly reason: string }[] = [
  {
    from: 126,
    to: 129,
    reason:
      'vnode_create_vobject waiting for an OBJ_DEAD object still attached to the vnode: its callers hold the vnode lock exclusively, as reclaim does while the object dies, so no catalog schedule shows it one',
  },
  { from: 181, to: 185, reason: 'vnode_destroy_vobject on an object already OBJ_DEAD with no references: termination in progress elsewhere while the vnode is reclaimed; no catalog scenario races two reclaims' },
  {
    from: 229,
    to: 229,
    reason: 'the "vadead" wait needs vnode_pager_alloc from a caller without the vnode lock: the probe unlocked-alloc-vs-vgone (finding alloc-sleeps-on-freed-object) reaches it; the catalog keeps to the 2017 callers, which hold the lock',
  },
  { from: 283, to: 283, reason: 'panic on a second dealloc of one object: vm_object_terminate deallocates the pager once; reaching it would be a defect of the kernel model' },
  { from: 293, to: 293, reason: 'wakes a "vodead"/"vadead" waiter (OBJ_DISCONNECTWNT): no catalog scenario has one (see 126-129, 229)' },
  { from: 884, to: 889, reason: 'trimming read-behind and read-ahead: needs rbehind + rahead + count > nitems(b_pages) = 32 pages; catalog requests are a few pages' },
  {
    from: 1328,
    to: 1343,
    reason: "vnode_pager_undirty_pages is called by filesystems' own putpages (NFS, SMB, FUSE in the 2017 tree), which the model has none of; impl/vnode_pager.io.test.ts drives it directly",
  },
];

export function unreachableReason(line: number): string | null {
  for (const u of UNREACHABLE) if (line >= u.from && line <= u.to) return u.reason;
  return null;
}

/** Per seed line, what the two mechanisms saw. */
export interface LineView {
  readonly line: number;
  readonly text: string;
  readonly fn: string | null;
  /** Executions with a step here (steps mechanism), summed over runs; null when no step is ever made here. */
  readonly executions: number | null;
  /** Per run, executions with a step here. */
  readonly byRun: readonly number[];
  readonly preemptions: number;
  /** A KASSERT line: 'failed' (n executions), 'reached', 'not reached', or 'unknown' (steps mechanism only). */
  readonly kassert: { readonly state: 'failed' | 'reached' | 'not reached' | 'unknown'; readonly failed: number } | null;
  /** v8: block entries of the port's citation sites for this line, null when the port has none (or no v8 data). */
  readonly hits: number | null;
  /** The line is observable (a scheduling point, a KASSERT or a citation site) and nothing reached it. */
  readonly unreached: boolean;
}

export function lineViews(d: CCoverageData): LineView[] {
  const lines = seedLines();
  const sched = new Set(schedulingLines());
  const ka = new Set(kassertLines());
  const siteHits = new Map<number, number>();
  const kaHits = new Map<number, number>();
  for (const s of d.sites ?? []) {
    const m = s.kind === 'kassert' ? kaHits : siteHits;
    m.set(s.line, (m.get(s.line) ?? 0) + sum(s.hits));
  }
  const out: LineView[] = [];
  for (let l = 1; l < lines.length; l++) {
    const byRun = d.lines[String(l)] ?? d.runs.map(() => 0);
    const n = sum(byRun);
    const failed = sum(d.kassertFailed[String(l)] ?? []);
    const executions = n > 0 || sched.has(l) ? n : null;
    const kassert = ka.has(l)
      ? { state: failed > 0 ? ('failed' as const) : d.sites ? ((kaHits.get(l) ?? 0) > 0 ? ('reached' as const) : ('not reached' as const)) : ('unknown' as const), failed }
      : null;
    const hits = d.sites ? (siteHits.has(l) || kaHits.has(l) ? (siteHits.get(l) ?? 0) + (kaHits.get(l) ?? 0) : null) : null;
    const observable = executions !== null || (kassert !== null && kassert.state !== 'unknown') || hits !== null;
    const reached = (executions ?? 0) > 0 || (hits ?? 0) > 0 || (kassert !== null && (kassert.state === 'failed' || kassert.state === 'reached'));
    out.push({ line: l, text: lines[l]!, fn: seedFunctionAt(l), executions, byRun, preemptions: sum(d.preemptions[String(l)] ?? []), kassert, hits, unreached: observable && !reached });
  }
  return out;
}

/** Unreached observable lines, grouped by reason: [reason, lines]. */
export function unreachedLines(d: CCoverageData): [string, number[]][] {
  const groups = new Map<string, number[]>();
  for (const v of lineViews(d)) {
    if (!v.unreached) continue;
    const r = unreachableReason(v.line) ?? 'not reached by any catalog scenario (no reason recorded: a gap of the catalog)';
    const g = groups.get(r);
    if (g) g.push(v.line);
    else groups.set(r, [v.line]);
  }
  return [...groups];
}

/** "120-123, 130" */
export function rangesText(ls: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ls.length; ) {
    let j = i;
    while (j + 1 < ls.length && ls[j + 1] === ls[j]! + 1) j++;
    out.push(i === j ? String(ls[i]) : `${ls[i]}-${ls[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

/** The C file annotated, for the terminal: per line of a function, executions, preemptions, KASSERT state, block entries. */
export function cCoverageText(d: CCoverageData): string {
  const out: string[] = [];
  out.push(`C coverage of ${d.seed.file} (revision ${d.seed.revision.slice(0, 12)}): ${d.what}`);
  out.push(`  execs: explored executions with a step at the line (exact; scheduling points only); P: executions preempted there;`);
  out.push(`  K: KASSERT reached / failed (n executions) / NOT reached${d.sites ? '' : ' / ? (needs coverage --c)'}; hits: V8 block entries of the port's code citing the line${d.sites ? '' : ' (coverage --c)'}.`);
  out.push(`  A line with nothing in these columns holds no scheduling point, KASSERT or cited call of the port: not measured.`);
  out.push('');
  out.push(`${'line'.padStart(5)} ${'execs'.padStart(7)} ${'P'.padStart(5)} ${'K'.padStart(8)} ${'hits'.padStart(8)}  source`);
  for (const v of lineViews(d)) {
    if (v.fn === null) continue;
    const ex = v.executions === null ? '' : v.executions === 0 ? '-' : String(v.executions);
    const p = v.preemptions > 0 ? String(v.preemptions) : '';
    const k = v.kassert === null ? '' : v.kassert.state === 'failed' ? `fail ${v.kassert.failed}` : v.kassert.state === 'reached' ? 'ok' : v.kassert.state === 'not reached' ? 'NOT' : '?';
    const h = v.hits === null ? '' : v.hits === 0 ? '-' : String(v.hits);
    out.push(`${String(v.line).padStart(5)} ${ex.padStart(7)} ${p.padStart(5)} ${k.padStart(8)} ${h.padStart(8)}${v.unreached ? ' !' : '  '}${v.text.replace(/\t/g, '    ')}`.trimEnd());
  }
  if (d.branches) {
    out.push('');
    out.push(`branches: the ifs of the ported functions (impl/vnode_pager.ts; variant-only ifs left out), by the seed line cited nearest`);
    for (const b of d.branches) {
      const both = b.taken > 0 && b.evaluated > b.taken;
      out.push(`  ${both ? 'both ways' : b.evaluated === 0 ? 'never    ' : b.taken > 0 ? 'only then' : 'only else'}  ${b.fn}${b.near !== null ? `:${b.near}` : ''}  if (${b.cond})  then ${b.taken}, else ${b.evaluated - b.taken}`);
    }
  }
  out.push('');
  const un = unreachedLines(d);
  out.push(un.length ? 'not reached:' : 'every observable line was reached');
  for (const [reason, ls] of un) out.push(`  ${rangesText(ls)}: ${reason}`);
  out.push('');
  out.push(cSummaryLine(d).trimEnd());
  return out.join('\n') + '\n';
}
