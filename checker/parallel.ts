/*
 * Parallel exhaustive exploration: the search is split into subtree tasks
 * (split.ts) that piscina worker threads run (worker.ts); results merge in
 * task order (tasks.ts), so the outcome is the same whatever the number of
 * workers. shard.ts and checkpoint.ts run subsets of the same tasks.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Outcome } from './explore.ts';
import { mergeTaskResults, planTasks, resolveProgram, resultsUsed, runTask, type ProgramRef, type SplitTask, type TaskOptions, type TaskResult } from './tasks.ts';
import type { TaskPayload } from './worker.ts';

export interface ParallelOptions extends TaskOptions {
  /** Worker threads; default os.availableParallelism(). 0 runs every task in the calling thread. */
  readonly workers?: number;
  /** Tasks, when already planned (planTasks); otherwise planned here. */
  readonly tasks?: readonly SplitTask[];
  /** Run only these task indices (a shard, or what a checkpoint left); default all. */
  readonly only?: readonly number[];
  /** Results already known (a resumed checkpoint), by index. */
  readonly known?: readonly TaskResult[];
  /** Told each task result as it completes (completion order). */
  readonly onResult?: (r: TaskResult) => void;
  /** Stops handing out tasks; running ones finish in the background and are dropped. */
  readonly signal?: AbortSignal;
}

export interface ParallelRun {
  readonly tasks: readonly SplitTask[];
  /** Results by task index; undefined for tasks not run (another shard's, cancelled, aborted). */
  readonly results: readonly (TaskResult | undefined)[];
  readonly elapsedMs: number;
}

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

function checkWorkers(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`workers ${String(n)} is not accepted: give a whole number >= 0 (0: no worker threads)`);
  return n;
}

/** Runs the selected tasks; results by index. */
export async function runTasks(ref: ProgramRef, opts: ParallelOptions = {}): Promise<ParallelRun> {
  const t0 = performance.now();
  const workers = checkWorkers(opts.workers ?? os.availableParallelism());
  // Start the worker threads first: each loads tsx and the model (~0.3 s), which overlaps with planning here.
  const pool =
    workers === 0
      ? null
      : new Piscina<TaskPayload, TaskResult>({
          filename: WORKER,
          minThreads: workers,
          maxThreads: workers,
          concurrentTasksPerWorker: 1,
          idleTimeout: 60_000,
        });
  let tasks: readonly SplitTask[];
  try {
    tasks = opts.tasks ?? planTasks(ref, opts);
  } catch (e) {
    await pool?.destroy();
    throw e;
  }
  const results: (TaskResult | undefined)[] = new Array(tasks.length).fill(undefined);
  for (const r of opts.known ?? []) results[r.index] = r;
  const stop = opts.stopOnViolation ?? true;
  const todo = (opts.only ?? tasks.map((_, i) => i)).filter((i) => results[i] === undefined);
  /** Lowest index of a task that stops the merge: tasks past it need not run. */
  let cutoff = Infinity;
  const noteCutoff = (r: TaskResult) => {
    if (r.error !== undefined || (stop && r.violations.length > 0)) cutoff = Math.min(cutoff, r.index);
  };
  for (const r of opts.known ?? []) noteCutoff(r);
  const payloadOpts: TaskOptions = {
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
    ...(opts.races !== undefined ? { races: opts.races } : {}),
    ...(opts.stopOnViolation !== undefined ? { stopOnViolation: opts.stopOnViolation } : {}),
    ...(opts.minTasks !== undefined ? { minTasks: opts.minTasks } : {}),
  };
  const accept = (r: TaskResult) => {
    results[r.index] = r;
    noteCutoff(r);
    opts.onResult?.(r);
  };
  if (pool === null) {
    const resolved = resolveProgram(ref);
    for (const i of todo) {
      if (opts.signal?.aborted) break;
      if (i > cutoff) continue;
      accept(runTask(ref, payloadOpts, i, tasks[i]!, resolved));
      // Let timers and signal handlers (checkpoints, Ctrl-C) run between tasks.
      await new Promise<void>((res) => setImmediate(res));
    }
    return { tasks, results, elapsedMs: performance.now() - t0 };
  }
  try {
    // Hand out tasks one at a time per worker, lowest index first, so a cutoff or an abort stops the rest.
    let next = 0;
    const loop = async (): Promise<void> => {
      for (;;) {
        if (opts.signal?.aborted) return;
        const i = todo[next++];
        if (i === undefined) return;
        if (i > cutoff) continue;
        accept(await pool.run({ ref, opts: payloadOpts, index: i, task: tasks[i]! }));
      }
    };
    await Promise.all(Array.from({ length: Math.min(workers, Math.max(todo.length, 1)) }, loop));
  } finally {
    await pool.destroy();
  }
  return { tasks, results, elapsedMs: performance.now() - t0 };
}

/** Parallel exhaustive DPOR of `ref`; the outcome is the same for every worker count. */
export async function exploreParallel(ref: ProgramRef, opts: ParallelOptions = {}): Promise<Outcome & { readonly tasks: number }> {
  const run = await runTasks(ref, opts);
  return { ...mergeTaskResults(run.results, opts, run.elapsedMs), tasks: run.tasks.length };
}

export { resultsUsed };
