/*
 * Sharding across machines with no coordinator of our own: shard i of n
 * runs the split tasks whose index % n == i (split.ts: the task list depends
 * only on the program and options), writes a ShardReport, and mergeShards
 * combines the reports of every shard into the outcome of the whole search.
 * Any batch engine that runs indexed copies of a command can spread it
 * (a Kubernetes Indexed Job's JOB_COMPLETION_INDEX, a CI matrix).
 */
import { z } from 'zod';
import { MAX_DEPTH, counterexampleSchema, replay, tooDeep, violationKey } from './counterexample.ts';
import type { Outcome } from './explore.ts';
import { runTasks, type ParallelOptions } from './parallel.ts';
import { fullOptions, mergeTaskResults, planKey, planResolved, resolveProgram, resultsUsed, type ProgramRef, type TaskOptions, type TaskResult } from './tasks.ts';
import { stopsMerge } from './claim.ts';
import { hashHolds, programNames, tasksHash, untrustedResolver, verifyPlan, withHash } from './integrity.ts';

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Most shards of one search, and most tasks a report or checkpoint may claim (checked before allocating for them). */
export const MAX_SHARDS = 10_000;
export const MAX_TASKS = 100_000;

/** Parses "i/n" (0 <= i < n <= MAX_SHARDS); one-line RangeError otherwise. */
export function parseShard(text: string): Shard {
  const m = /^(\d{1,9})\/(\d{1,9})$/.exec(text.trim());
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !(n >= 1) || !(i < n) || n > MAX_SHARDS) throw new RangeError(`shard "${text.slice(0, 40)}" is not accepted: give i/n with 0 <= i < n <= ${MAX_SHARDS}, e.g. 0/4`);
  return { index: i, count: n };
}

/** How a shard ended: every task of its slice it had to run, or stopped (Ctrl-C, SIGTERM) with some not run. */
export type ShardStatus = 'complete' | 'interrupted';

export interface ShardReport {
  readonly format: 'pagercheck-shard';
  readonly version: 3;
  /** planKey(ref, options): every shard of one search has the same. */
  readonly plan: string;
  readonly ref: ProgramRef;
  /** Every option that decides the search, defaults filled in (fullOptions). */
  readonly options: Required<TaskOptions>;
  /** What the resolver says the program is (the catalog scenario and the variant, for the pager). */
  readonly scenario?: string;
  readonly variant?: string;
  readonly shard: Shard;
  readonly tasks: number;
  /** tasksHash of the task list: the merge plans the search again and compares. */
  readonly planHash: string;
  readonly status: ShardStatus;
  /** Results of this shard's tasks, by ascending index. */
  readonly results: readonly TaskResult[];
  readonly elapsedMs: number;
  /** contentHash of every other field (integrity.ts): accidental edits, truncation, mixed runs. */
  readonly hash: string;
}

/** Runs shard `shard` of the search of `ref`; an abort (opts.signal) ends it with status 'interrupted' if tasks were left. */
export async function runShard(ref: ProgramRef, shard: Shard, opts: ParallelOptions = {}): Promise<ShardReport> {
  // Every shard runs all its tasks: which task stops a stopOnViolation search is decided at the merge.
  const options = fullOptions(taskOptions(opts));
  const resolved = await resolveProgram(ref);
  const tasks = opts.tasks ?? planResolved(resolved, options);
  const mine = shardTasks(tasks.length, shard);
  const run = await runTasks(ref, { ...opts, tasks, only: mine });
  const results = run.results.filter((r): r is TaskResult => r !== undefined);
  const status: ShardStatus = unrun(mine, results, options.stopOnViolation).length > 0 ? 'interrupted' : 'complete';
  return withHash({
    format: 'pagercheck-shard',
    version: 3,
    plan: planKey(ref, options),
    ref,
    options,
    ...programNames(resolved),
    shard,
    tasks: tasks.length,
    planHash: tasksHash(tasks),
    status,
    results,
    elapsedMs: run.elapsedMs,
  });
}

/** The task indices of a shard: index % count == shard.index. */
export function shardTasks(tasks: number, shard: Shard): number[] {
  const out: number[] = [];
  for (let i = shard.index; i < tasks; i += shard.count) out.push(i);
  return out;
}

/**
 * The tasks of `mine` a run must still do, given its results: all of them
 * without a result, except those after the first stopping one (an error, or
 * a violation when stopping on one), which the merge never reads.
 */
export function unrun(mine: readonly number[], results: readonly TaskResult[], stopOnViolation: boolean): number[] {
  const have = new Map(results.map((r) => [r.index, r]));
  const out: number[] = [];
  for (const i of mine) {
    const r = have.get(i);
    if (r === undefined) out.push(i);
    else if (stopsMerge(r, stopOnViolation)) break;
  }
  return out;
}

export function taskOptions(o: TaskOptions): TaskOptions {
  return {
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
    ...(o.races !== undefined ? { races: o.races } : {}),
    ...(o.stopOnViolation !== undefined ? { stopOnViolation: o.stopOnViolation } : {}),
    ...(o.minTasks !== undefined ? { minTasks: o.minTasks } : {}),
  };
}

/* Bounds: counts fit in a double exactly, lists are no longer than a search makes, before anything is allocated for them. */
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const ms = z.number().min(0).max(Number.MAX_SAFE_INTEGER);
const taskResultSchema = z.object({
  index: z.number().int().min(0).max(MAX_TASKS - 1),
  executions: count,
  steps: count,
  cut: count,
  violating: count,
  complete: z.boolean(),
  counters: z.record(z.string().max(64), count).refine((c) => Object.keys(c).length <= 64, 'expected at most 64 counters'),
  violations: z.array(counterexampleSchema).max(1024),
  error: z.object({ code: z.enum(['harness', 'nondeterminism', 'bad-input']), message: z.string().max(100_000) }).loose().optional(),
  elapsedMs: ms,
});
export { taskResultSchema };

// Version 2: refs name a resolver module and carry its data (version 1 had a fixed list of program kinds).
const refSchema = z.object({ resolver: z.string().min(1).max(4096), data: z.json() });
export { refSchema };

// Files record every option, defaults filled in (fullOptions): a resume or merge compares them one by one.
const optionsSchema = z.strictObject({
  maxSteps: z.number().int().min(1).max(1_000_000),
  races: z.boolean(),
  stopOnViolation: z.boolean(),
  minTasks: z.number().int().min(1).max(MAX_TASKS),
});
export { optionsSchema };

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in hex');
export { sha256 };

/** The version field of a file format: earlier versions had no content hash. */
export function versionSchema<V extends number>(v: V) {
  return z.literal(v, { error: (iss) => `unsupported version ${JSON.stringify(iss.input)?.slice(0, 20)}; accepted: ${v} (earlier files carry no content hash: run the search again)` });
}

const shardSchema = z.object({
  format: z.literal('pagercheck-shard'),
  version: versionSchema(3),
  plan: z.string().max(10_000),
  ref: refSchema,
  options: optionsSchema,
  scenario: z.string().max(256).optional(),
  variant: z.string().max(64).optional(),
  shard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1).max(MAX_SHARDS) }).refine((s) => s.index < s.count, 'expected index < count'),
  tasks: z.number().int().min(1).max(MAX_TASKS),
  planHash: sha256,
  status: z.enum(['complete', 'interrupted']),
  results: z.array(taskResultSchema).max(MAX_TASKS),
  elapsedMs: ms,
  hash: sha256,
});

export { MAX_DEPTH, tooDeep };

function firstIssue(e: z.ZodError): string {
  const i = e.issues[0];
  return i ? `${i.path.join('.') || '(top)'}: ${i.message}` : 'invalid';
}

const EDITED = 'give the file as explore wrote it';

/**
 * Parses a shard report (JSON text or value) and checks what it can without
 * the program: its content hash, its plan key, the resolver it names, and
 * that its results are tasks of its shard, once each, and all of them when
 * it says it is complete. One-line Error naming what is wrong. verifyReport
 * then compares its plan with this code's.
 */
export function parseShardReport(input: string | unknown, name = 'shard report'): ShardReport {
  let v: unknown = input;
  if (typeof input === 'string') {
    try {
      v = JSON.parse(input);
    } catch (e) {
      throw new Error(`${name} is not JSON (${(e as Error).message.split('\n')[0]}): give a file written by explore --shard i/n`);
    }
  }
  if (tooDeep(v)) throw new Error(`${name} is not a pagercheck shard report (nested deeper than ${MAX_DEPTH} levels): give a file written by explore --shard i/n`);
  const r = shardSchema.safeParse(v);
  if (!r.success) throw new Error(`${name} is not a pagercheck shard report (${firstIssue(r.error)}): give a file written by explore --shard i/n`);
  if (!hashHolds(v)) throw new Error(`${name}: hash does not match its content (edited, damaged or truncated): ${EDITED}`);
  const rep = r.data as unknown as ShardReport;
  const bad = untrustedResolver(rep.ref);
  if (bad !== null) throw new Error(`${name}: ${bad}`);
  if (rep.plan !== planKey(rep.ref, rep.options)) throw new Error(`${name}: plan does not match its ref and options: ${EDITED}`);
  const { index, count } = rep.shard;
  const mine = Math.ceil((rep.tasks - Math.min(index, rep.tasks)) / count);
  if (rep.results.length > mine) throw new Error(`${name}: results: ${rep.results.length} results, but shard ${index}/${count} of ${rep.tasks} tasks has ${mine}: ${EDITED}`);
  let last = -1;
  for (const [k, t] of rep.results.entries()) {
    if (t.index >= rep.tasks || t.index % count !== index) throw new Error(`${name}: results[${k}]: task ${t.index} is not a task of shard ${index}/${count} of ${rep.tasks}: ${EDITED}`);
    if (t.index <= last) throw new Error(`${name}: results[${k}]: task ${t.index} is out of order or twice: ${EDITED}`);
    last = t.index;
  }
  const left = unrun(shardTasks(rep.tasks, rep.shard), rep.results, rep.options.stopOnViolation);
  if (rep.status === 'complete' && left.length > 0) throw new Error(`${name}: status: complete, but task ${left[0]} of its shard has no result: ${EDITED}`);
  return rep;
}

/** The plan a report claims, computed again on this code (integrity.ts verifyPlan); one-line Error when it differs. */
export function verifyReport(rep: ShardReport, name = 'shard report'): Promise<unknown> {
  return verifyPlan(name, rep);
}

/**
 * Every counterexample in `results` replays to its violation on the program
 * of `ref`: an edited report or checkpoint would otherwise reach the merge
 * and its minimization as a harness error. One-line Error naming the first
 * that does not.
 */
export async function checkViolations(ref: ProgramRef, results: readonly TaskResult[], what: string): Promise<void> {
  if (!results.some((t) => t.violations.length > 0)) return;
  const r = await resolveProgram(ref);
  for (const t of results)
    for (const [i, cex] of t.violations.entries()) {
      // Its names are recorded in the traces written from it: they must be the program's.
      for (const k of ['scenario', 'variant'] as const)
        if (cex[k] !== undefined && r[k] !== undefined && cex[k] !== r[k])
          throw new Error(`${what}: task ${t.index}, violation ${i + 1}: ${k} ${JSON.stringify(cex[k]).slice(0, 80)} is not its program's (${r[k]}): give an unedited file`);
      let out;
      try {
        out = replay(r.program, cex, r.stepCheck ? { stepCheck: r.stepCheck } : {});
      } catch (e) {
        throw new Error(`${what}: task ${t.index}, violation ${i + 1}: its schedule does not run (${String((e as Error)?.message ?? e).split('\n')[0]!.slice(0, 160)}): give an unedited file`);
      }
      if (out.status !== 'replayed' || !out.same)
        throw new Error(`${what}: task ${t.index}, violation ${i + 1}: its schedule does not replay to ${violationKey(cex.violation).slice(0, 120)}: give an unedited file`);
    }
}

/**
 * Merges the reports of every shard of one search into its outcome; one-line
 * Error if they do not fit together. `names` (the files) are named in the
 * errors; a task with no result is put down to its shard's report: absent, or
 * interrupted with that task not run.
 */
export function mergeShards(reports: readonly ShardReport[], names?: readonly string[]): Outcome & { readonly tasks: number } {
  if (reports.length === 0) throw new Error('merge needs at least one shard report');
  const first = reports[0]!;
  const nameOf = (k: number) => {
    const r = reports[k]!;
    return `shard ${r.shard.index}/${r.shard.count}${names?.[k] !== undefined ? ` (${names[k]})` : ''}`;
  };
  for (const [k, r] of reports.entries()) {
    if (r.plan !== first.plan) throw new Error(`${nameOf(k)} is of another search than ${nameOf(0)}: ${planDifference(first, r)}: merge shards of one program with one set of options`);
    if (r.tasks !== first.tasks || r.planHash !== first.planHash) throw new Error(`${nameOf(k)} split the search into ${r.tasks} tasks, ${nameOf(0)} into ${first.tasks}${r.tasks === first.tasks ? ' (other tasks)' : ''}: the model or the checker changed between shards`);
    if (r.shard.count !== first.shard.count) throw new Error(`${nameOf(k)} is one of ${r.shard.count} shards, ${nameOf(0)} one of ${first.shard.count}: merge the shards of one split`);
  }
  // Checked before allocating for the tasks: the count is the plan's (verifyReport) or at least bounded (MAX_TASKS).
  const results: (TaskResult | undefined)[] = new Array(first.tasks).fill(undefined);
  const owner = new Map<number, number>();
  let elapsed = 0;
  for (const [k, r] of reports.entries()) {
    if (owner.has(r.shard.index)) throw new Error(`task ${r.results[0]?.index ?? r.shard.index} is in more than one shard report (${nameOf(k)} is given twice): give each shard once`);
    owner.set(r.shard.index, k);
    for (const t of r.results) results[t.index] = t;
    elapsed = Math.max(elapsed, r.elapsedMs);
  }
  // A shard skips its tasks past its own first stopping task (violation or error); the merge never reads past the first one.
  const { missing } = resultsUsed(results, first.options.stopOnViolation);
  if (missing > 0) {
    const gap = results.findIndex((r) => r === undefined);
    const count = first.shard.count;
    const k = owner.get(gap % count);
    if (k === undefined) throw new Error(`task ${gap} is in no shard report (shard ${gap % count}/${count} missing?): give the report of every shard`);
    const r = reports[k]!;
    const left = unrun(shardTasks(r.tasks, r.shard), r.results, first.options.stopOnViolation);
    throw new Error(`task ${gap} is in no shard report: ${nameOf(k)} was interrupted with ${left.length} of its ${shardTasks(r.tasks, r.shard).length} tasks not run (tasks ${left.slice(0, 5).join(', ')}${left.length > 5 ? ', ...' : ''}); run that shard again`);
  }
  return { ...mergeTaskResults(results, first.options, elapsed), tasks: first.tasks };
}

/** Which option or program two reports of different searches differ in. */
function planDifference(a: ShardReport, b: ShardReport): string {
  for (const k of ['maxSteps', 'races', 'stopOnViolation', 'minTasks'] as const) if (a.options[k] !== b.options[k]) return `options.${k} ${String(b.options[k])}, not ${String(a.options[k])}`;
  if (a.scenario !== b.scenario) return `scenario ${JSON.stringify(b.scenario)}, not ${JSON.stringify(a.scenario)}`;
  if (a.variant !== b.variant) return `variant ${JSON.stringify(b.variant)}, not ${JSON.stringify(a.variant)}`;
  return 'another program';
}
