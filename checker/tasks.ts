/*
 * Subtree tasks of a split search (split.ts), runnable anywhere: a task is
 * described by plain data (which program, which options, which prefix), run
 * by runTask in whatever thread or machine, and its TaskResult merged with
 * the others in task order (never completion order), so the outcome does not
 * depend on who ran what or when.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Explorer, type ExploreError, type Outcome, type Stats } from './explore.ts';
import { violationKey, type Counterexample } from './counterexample.ts';
import { DporStrategy } from './strategies/dpor.ts';
import { splitTasks, DEFAULT_MIN_TASKS, type SplitTask } from './split.ts';
import type { Program, RunOptions } from './runtime.ts';
import * as examples from './examples.ts';

export type { SplitTask };

/** JSON data: what a ref carries to workers, shard reports and checkpoints. */
export type RefData = null | boolean | number | string | readonly RefData[] | { readonly [k: string]: RefData };

/**
 * A program by name: programs hold generators and closures, so workers and
 * shards rebuild them. `resolver` names a module that exports
 * `resolveProgram(data): ResolvedProgram`: a file: URL, an absolute path, or
 * a path relative to this project's root (the same on every machine, so use
 * that form for shards and checkpoints). `data` is plain JSON for it.
 */
export interface ProgramRef {
  readonly resolver: string;
  readonly data: RefData;
}

/** What a resolver module exports. */
export interface ProgramResolver {
  resolveProgram(data: unknown): ResolvedProgram;
}

/** Options that decide the search, and so must agree between every task, worker and shard. */
export interface TaskOptions {
  readonly maxSteps?: number;
  readonly races?: boolean;
  /** Default true: each task stops at its first violation, and the merge keeps tasks up to the first violating one. */
  readonly stopOnViolation?: boolean;
  /** Split into at least this many subtrees (default DEFAULT_MIN_TASKS, 32). */
  readonly minTasks?: number;
}

export interface TaskResult {
  readonly index: number;
  readonly executions: number;
  readonly steps: number;
  readonly cut: number;
  readonly violating: number;
  readonly complete: boolean;
  readonly counters: Readonly<Record<string, number>>;
  readonly violations: readonly Counterexample[];
  readonly error?: ExploreError;
  readonly elapsedMs: number;
}

export interface ResolvedProgram {
  readonly program: Program<unknown>;
  /** An extra per-step check, for resolvers of programs that do not carry all their monitors. */
  readonly stepCheck?: RunOptions['stepCheck'] | undefined;
  /** Recorded in counterexamples. */
  readonly scenario?: string;
  readonly variant?: string;
}

/** The project's root: relative resolver paths are taken from here. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The file URL of a resolver specifier. */
export function resolverUrl(spec: string): string {
  if (spec.startsWith('file:')) return spec;
  return pathToFileURL(path.isAbsolute(spec) ? spec : path.join(PROJECT_ROOT, spec)).href;
}

/*
 * Resolvers already loaded, by specifier. A bundle (the command, a bundled
 * worker) registers the ones it carries, as it cannot import TypeScript at run time.
 */
const resolvers = new Map<string, ProgramResolver>();

export function registerResolver(spec: string, mod: ProgramResolver): void {
  resolvers.set(spec, mod);
}

registerResolver(examples.EXAMPLES_RESOLVER, examples);

/** The resolver module a specifier names: registered, or imported (once). */
export async function loadResolver(spec: string): Promise<ProgramResolver> {
  const known = resolvers.get(spec);
  if (known !== undefined) return known;
  let mod: Partial<ProgramResolver>;
  try {
    mod = (await import(resolverUrl(spec))) as Partial<ProgramResolver>;
  } catch (e) {
    throw new Error(`program resolver ${spec} cannot be loaded (${(e as Error).message.split('\n')[0]}); accepted: a module exporting resolveProgram(data), as a file: URL, an absolute path or a path from the project root`);
  }
  if (typeof mod.resolveProgram !== 'function') throw new Error(`program resolver ${spec} does not export resolveProgram(data); accepted: a module exporting resolveProgram(data)`);
  const r = mod as ProgramResolver;
  resolvers.set(spec, r);
  return r;
}

/** Builds the program a ref names; throws a one-line error on an unknown one. */
export async function resolveProgram(ref: ProgramRef): Promise<ResolvedProgram> {
  if (typeof (ref as { resolver?: unknown })?.resolver !== 'string') throw new Error(`program reference ${JSON.stringify(ref)} is not accepted: give { resolver, data }`);
  return resolveWith(await loadResolver(ref.resolver), ref);
}

/** resolveProgram once the resolver is loaded (synchronous). */
export function resolveWith(r: ProgramResolver, ref: ProgramRef): ResolvedProgram {
  return r.resolveProgram(ref.data);
}

/** Every option that decides the search, with its default where unset: what files record and compare. */
export function fullOptions(opts: TaskOptions): Required<TaskOptions> {
  return { maxSteps: opts.maxSteps ?? 10_000, races: opts.races ?? true, stopOnViolation: opts.stopOnViolation ?? true, minTasks: opts.minTasks ?? DEFAULT_MIN_TASKS };
}

/** A short stable text of a ref and options: shards, checkpoints and merges must agree on it. */
export function planKey(ref: ProgramRef, opts: TaskOptions): string {
  const o = fullOptions(opts);
  // split: how splitTasks cuts the tree (2: with sleep sets); reports of another cut do not merge.
  return JSON.stringify({ ref, o, split: 2 });
}

/** The tasks (prefix and sleep set at its end) of the search of `ref` under `opts`. */
export async function planTasks(ref: ProgramRef, opts: TaskOptions = {}): Promise<SplitTask[]> {
  return planResolved(await resolveProgram(ref), opts);
}

/** planTasks for a program already resolved. */
export function planResolved(r: ResolvedProgram, opts: TaskOptions = {}): SplitTask[] {
  return splitTasks(r.program, {
    minTasks: opts.minTasks ?? DEFAULT_MIN_TASKS,
    maxSteps: opts.maxSteps ?? 10_000,
    races: opts.races ?? true,
    stepCheck: r.stepCheck,
  });
}

function taskExplorer(opts: TaskOptions, task: SplitTask, resolved: ResolvedProgram): Explorer<unknown> {
  return new Explorer(resolved.program, {
    strategy: new DporStrategy({ prefix: task.prefix, initialSleep: task.sleep }),
    stopOnViolation: opts.stopOnViolation ?? true,
    races: opts.races ?? true,
    maxSteps: opts.maxSteps ?? 10_000,
    ...(resolved.stepCheck ? { stepCheck: resolved.stepCheck } : {}),
    ...(resolved.scenario !== undefined ? { scenario: resolved.scenario } : {}),
    ...(resolved.variant !== undefined ? { variant: resolved.variant } : {}),
  });
}

function taskResult(index: number, e: Explorer<unknown>): TaskResult {
  const o = e.outcome();
  const s = o.stats;
  return {
    index,
    executions: s.executions,
    steps: s.steps,
    cut: s.cut,
    violating: s.violating,
    complete: s.complete,
    counters: s.counters,
    violations: o.status === 'ok' ? [] : o.violations,
    ...(o.status === 'error' ? { error: o.error } : {}),
    elapsedMs: s.elapsedMs,
  };
}

/** Runs one subtree: DPOR below the task's prefix, starting with its sleep set. */
export function runTask(opts: TaskOptions, index: number, task: SplitTask, resolved: ResolvedProgram): TaskResult {
  const e = taskExplorer(opts, task, resolved);
  e.runFor(Infinity);
  return taskResult(index, e);
}

/**
 * runTask in slices of `sliceMs`, returning to the event loop between them,
 * for the thread that also handles signals, timers and the workers'
 * messages. Null when `stop()` said so between slices: the task is
 * unfinished and its result must not be used.
 */
export async function runTaskSliced(opts: TaskOptions, index: number, task: SplitTask, resolved: ResolvedProgram, stop: () => boolean, sliceMs = 100): Promise<TaskResult | null> {
  const e = taskExplorer(opts, task, resolved);
  while (!e.runFor(performance.now() + sliceMs)) {
    await new Promise<void>((r) => setImmediate(r));
    if (stop()) return null;
  }
  return taskResult(index, e);
}

/** Which task results the merge uses: in task order, up to the first error, or the first violation when stopping on one. */
export function resultsUsed(results: readonly (TaskResult | undefined)[], stopOnViolation: boolean): { used: TaskResult[]; stoppedEarly: boolean; missing: number } {
  const used: TaskResult[] = [];
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (r === undefined) return { used, stoppedEarly: false, missing: results.length - i };
    used.push(r);
    if (r.error !== undefined || (stopOnViolation && r.violations.length > 0)) return { used, stoppedEarly: i < results.length - 1, missing: 0 };
  }
  return { used, stoppedEarly: false, missing: 0 };
}

/** One Outcome (as explore's) from the results of every task, by index; a missing result makes it incomplete. */
export function mergeTaskResults(results: readonly (TaskResult | undefined)[], opts: TaskOptions, elapsedMs: number): Outcome {
  const stopOnViolation = opts.stopOnViolation ?? true;
  const { used } = resultsUsed(results, stopOnViolation);
  let executions = 0;
  let steps = 0;
  let cut = 0;
  let violating = 0;
  let allComplete = used.length === results.length;
  const counters: Record<string, number> = {};
  const found = new Map<string, Counterexample>();
  let error: ExploreError | undefined;
  for (const r of used) {
    executions += r.executions;
    steps += r.steps;
    cut += r.cut;
    violating += r.violating;
    if (!r.complete) allComplete = false;
    for (const [k, v] of Object.entries(r.counters)) counters[k] = k === 'maxDepth' ? Math.max(counters[k] ?? 0, v) : (counters[k] ?? 0) + v;
    for (const c of r.violations) {
      const key = violationKey(c.violation);
      if (!found.has(key)) found.set(key, c);
    }
    if (r.error !== undefined) error ??= r.error;
  }
  const violations = [...found.values()];
  const stopReason: Stats['stopReason'] =
    error !== undefined ? 'error' : used.length < results.length && results[used.length] === undefined && !(stopOnViolation && violations.length > 0) ? 'aborted' : stopOnViolation && violations.length > 0 ? 'violation' : 'exhausted';
  const secs = Math.max(elapsedMs, 1e-3) / 1000;
  const stats: Stats = {
    executions,
    steps,
    cut,
    repeated: 0,
    violating,
    elapsedMs,
    executionsPerSec: executions / secs,
    stepsPerSec: steps / secs,
    complete: allComplete && stopReason === 'exhausted',
    stopReason,
    strategy: { strategy: 'dpor', bounds: { tasks: results.length } },
    counters,
  };
  if (error !== undefined) return { status: 'error', error, violations, stats };
  if (violations.length > 0) return { status: 'violation', violations, stats };
  return { status: 'ok', stats };
}
