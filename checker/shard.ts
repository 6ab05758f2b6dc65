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
import { mergeTaskResults, planKey, planTasks, resolveProgram, resultsUsed, type ProgramRef, type TaskOptions, type TaskResult } from './tasks.ts';

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

export interface ShardReport {
  readonly format: 'pagercheck-shard';
  readonly version: 2;
  /** planKey(ref, options): every shard of one search has the same. */
  readonly plan: string;
  readonly ref: ProgramRef;
  readonly options: TaskOptions;
  readonly shard: Shard;
  readonly tasks: number;
  /** Results of this shard's tasks, by ascending index. */
  readonly results: readonly TaskResult[];
  readonly elapsedMs: number;
}

/** Runs shard `shard` of the search of `ref`. */
export async function runShard(ref: ProgramRef, shard: Shard, opts: ParallelOptions = {}): Promise<ShardReport> {
  // Every shard runs all its tasks: which task stops a stopOnViolation search is decided at the merge.
  const tasksOf = (n: number) => Array.from({ length: n }, (_, i) => i).filter((i) => i % shard.count === shard.index);
  const tasks = opts.tasks ?? (await planTasks(ref, opts));
  const run = await runTasks(ref, { ...opts, tasks, only: tasksOf(tasks.length) });
  const options = taskOptions(opts);
  return {
    format: 'pagercheck-shard',
    version: 2,
    plan: planKey(ref, options),
    ref,
    options,
    shard,
    tasks: tasks.length,
    results: run.results.filter((r): r is TaskResult => r !== undefined),
    elapsedMs: run.elapsedMs,
  };
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

const optionsSchema = z.object({
  maxSteps: z.number().int().min(1).max(1_000_000).optional(),
  races: z.boolean().optional(),
  stopOnViolation: z.boolean().optional(),
  minTasks: z.number().int().min(1).max(MAX_TASKS).optional(),
});
export { optionsSchema };

const shardSchema = z.object({
  format: z.literal('pagercheck-shard'),
  version: z.literal(2),
  plan: z.string(),
  ref: refSchema,
  options: optionsSchema,
  shard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1).max(MAX_SHARDS) }).refine((s) => s.index < s.count, 'expected index < count'),
  tasks: z.number().int().min(1).max(MAX_TASKS),
  results: z.array(taskResultSchema).max(MAX_TASKS),
  elapsedMs: ms,
});

export { MAX_DEPTH, tooDeep };

function firstIssue(e: z.ZodError): string {
  const i = e.issues[0];
  return i ? `${i.path.join('.') || '(top)'}: ${i.message}` : 'invalid';
}

/** Parses a shard report (JSON text or value); one-line Error naming what is wrong. */
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
  return r.data as unknown as ShardReport;
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

/** Merges the reports of every shard of one search into its outcome; one-line Error if they do not fit together. */
export function mergeShards(reports: readonly ShardReport[]): Outcome & { readonly tasks: number } {
  if (reports.length === 0) throw new Error('merge needs at least one shard report');
  const first = reports[0]!;
  const results: (TaskResult | undefined)[] = new Array(first.tasks).fill(undefined);
  let elapsed = 0;
  for (const r of reports) {
    const who = `shard ${r.shard.index}/${r.shard.count}`;
    if (r.plan !== first.plan) throw new Error(`${who} is of another search (${r.plan}) than shard ${first.shard.index}/${first.shard.count} (${first.plan}): merge shards of one program with one set of options`);
    if (r.tasks !== first.tasks) throw new Error(`${who} split the search into ${r.tasks} tasks, shard ${first.shard.index}/${first.shard.count} into ${first.tasks}: the model or the checker changed between shards`);
    for (const t of r.results) {
      if (t.index >= first.tasks) throw new Error(`${who} has task ${t.index}, but the search has only ${first.tasks} tasks`);
      if (results[t.index] !== undefined) throw new Error(`task ${t.index} is in more than one shard report (again in ${who}): give each shard once`);
      results[t.index] = t;
    }
    elapsed = Math.max(elapsed, r.elapsedMs);
  }
  // A shard skips its tasks past its own first stopping task (violation or error); the merge never reads past the first one.
  const { missing } = resultsUsed(results, first.options.stopOnViolation ?? true);
  if (missing > 0) {
    const gap = results.findIndex((r) => r === undefined);
    const counts = [...new Set(reports.map((r) => r.shard.count))];
    throw new Error(`task ${gap} is in no shard report (shard ${counts.length === 1 ? `${gap % counts[0]!}/${counts[0]}` : '?'} missing?): give the report of every shard`);
  }
  return { ...mergeTaskResults(results, first.options, elapsed), tasks: first.tasks };
}
