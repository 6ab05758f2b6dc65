/*
 * Parallel exhaustive exploration: the search is split into subtree tasks
 * (split.ts) that the calling thread and node:worker_threads workers
 * (worker.ts) claim from shared counters (claim.ts: no queue, no
 * dispatcher); results merge in task order (tasks.ts), so the outcome is the
 * same whatever the number of workers. shard.ts and checkpoint.ts run
 * subsets of the same tasks.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Outcome } from './explore.ts';
import { mergeTaskResults, planResolved, resolveProgram, resultsUsed, runTaskSliced, type ProgramRef, type SplitTask, type TaskOptions, type TaskResult } from './tasks.ts';
import type { WorkerPayload, WorkerReply } from './worker.ts';
import { workerBundle } from './bundle.ts';
import { claimNext, claimsLeft, claimsStopped, newClaimState, noteCutoff, stopClaims, stopsMerge, unresolved } from './claim.ts';

export interface ParallelOptions extends TaskOptions {
  /**
   * Threads that search: the calling thread and workers - 1 worker threads
   * (default os.availableParallelism()). 0 or 1: the calling thread alone.
   */
  readonly workers?: number;
  /** Tasks, when already planned (planTasks); otherwise planned here. */
  readonly tasks?: readonly SplitTask[];
  /** Run only these task indices (a shard, or what a checkpoint left); default all. */
  readonly only?: readonly number[];
  /** Results already known (a resumed checkpoint), by index. */
  readonly known?: readonly TaskResult[];
  /** Told each task result as it completes (completion order). */
  readonly onResult?: (r: TaskResult) => void;
  /** Told, once planned, how many tasks the search has and how many of them this run will run. */
  readonly onPlanned?: (tasks: number, toRun: number) => void;
  /** Stops handing out tasks; running ones finish in the background and are dropped. */
  readonly signal?: AbortSignal;
  /** Default true: the calling thread searches too. False: `workers` worker threads do it all. */
  readonly callingThread?: boolean;
  /** Told of trouble the run works around (a worker thread that failed before claiming any task). */
  readonly onWarning?: (message: string) => void;
  /**
   * With the calling thread searching: start the worker threads only once it has searched this long (ms) with
   * tasks left (default WORKER_START_MS; 0: at once). A worker costs ~0.9 s of CPU to load and compile the model,
   * which on 2 cores comes out of the search's time: a shorter search is faster alone.
   */
  readonly workerStartMs?: number;
  /** Tests only: worker runs fail before claiming. */
  readonly workersFailBeforeClaiming?: boolean;
}

export interface ParallelRun {
  readonly tasks: readonly SplitTask[];
  /** Results by task index; undefined for tasks not run (another shard's, cancelled, aborted). */
  readonly results: readonly (TaskResult | undefined)[];
  readonly elapsedMs: number;
  /** Tasks whose result came from a worker thread (the others ran in the calling thread). */
  readonly ranInWorkers: number;
}

/** Measured: a second thread's warm-up (~0.9 s CPU) made overlapping-getpages's 0.9 s search 0.73x as fast (SCALE.md). */
export const WORKER_START_MS = 1000;

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

function checkWorkers(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`workers ${String(n)} is not accepted: give a whole number >= 1 (1 or 0: the calling thread alone)`);
  return n;
}

/**
 * The order threads claim tasks in. Stopping at the first violation: by
 * index, so that a violation found early cuts the tasks after it. Otherwise
 * largest first, so that no big task starts last and runs alone (the merge
 * is by index either way): a task's sleep set prunes its subtree, so tasks
 * with fewer sleepers go first (measured: the empty-sleep-set subtrees are
 * the big ones).
 */
export function claimOrder(tasks: readonly SplitTask[], todo: readonly number[], stopOnViolation: boolean): number[] {
  if (stopOnViolation) return [...todo];
  return [...todo].sort((a, b) => tasks[a]!.sleep.length - tasks[b]!.sleep.length || a - b);
}

const tick = (): Promise<void> => new Promise<void>((res) => setImmediate(res));

/**
 * Runs the selected tasks; results by index. The calling thread searches
 * too: it has the model loaded and compiled from planning, while a worker
 * thread first loads the bundle and the model (~0.1 s) and compiles it.
 * Every thread claims its next task from shared counters (claim.ts), in
 * claimOrder.
 */
export async function runTasks(ref: ProgramRef, opts: ParallelOptions = {}): Promise<ParallelRun> {
  const t0 = performance.now();
  const threads = Math.max(1, checkWorkers(opts.workers ?? os.availableParallelism()));
  const callingSearches = opts.callingThread ?? true;
  const workerThreads = callingSearches ? threads - 1 : threads;
  const startAfter = callingSearches ? (opts.workerStartMs ?? WORKER_START_MS) : 0;
  if (!(startAfter >= 0)) throw new RangeError(`workerStartMs ${String(opts.workerStartMs)} is not accepted: give a number of milliseconds >= 0`);
  const bundle = workerThreads === 0 ? null : await workerBundle(ref.resolver);
  const file = bundle !== null && 'file' in bundle ? bundle.file : WORKER;
  const workers: Worker[] = [];
  // Not this process's node options: a worker inheriting `--import tsx` routes every import through tsx's
  // hooks (~0.3 s to start instead of ~0.1 s); the bundle is JavaScript and worker.mjs registers tsx itself.
  // V8 flags are process-wide and apply to workers anyway.
  const newWorkers = () => {
    for (let w = 0; w < workerThreads; w++) workers.push(new Worker(file, { execArgv: [] }));
  };
  // At once: their start-up overlaps with planning and with the calling thread's first tasks.
  if (startAfter === 0) newWorkers();
  const terminate = () => Promise.allSettled(workers.map((wk) => wk.terminate()));
  let tasks: readonly SplitTask[];
  let resolved;
  try {
    resolved = await resolveProgram(ref);
    tasks = opts.tasks ?? planResolved(resolved, opts);
  } catch (e) {
    await terminate();
    throw e;
  }
  const results: (TaskResult | undefined)[] = new Array(tasks.length).fill(undefined);
  for (const r of opts.known ?? []) results[r.index] = r;
  const stop = opts.stopOnViolation ?? true;
  const todo = claimOrder(tasks, (opts.only ?? tasks.map((_, i) => i)).filter((i) => results[i] === undefined), stop);
  opts.onPlanned?.(tasks.length, todo.length);
  const shared = newClaimState(todo.length);
  for (const r of opts.known ?? []) if (stopsMerge(r, stop)) noteCutoff(shared, r.index);
  const payloadOpts: TaskOptions = {
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
    ...(opts.races !== undefined ? { races: opts.races } : {}),
    ...(opts.stopOnViolation !== undefined ? { stopOnViolation: opts.stopOnViolation } : {}),
    ...(opts.minTasks !== undefined ? { minTasks: opts.minTasks } : {}),
  };
  /* A result may arrive twice (posted as it completes, and returned with the worker's list): the first counts. */
  let ranInWorkers = 0;
  const accept = (r: TaskResult): boolean => {
    if (results[r.index] !== undefined) return false;
    results[r.index] = r;
    if (stopsMerge(r, stop)) noteCutoff(shared, r.index);
    opts.onResult?.(r);
    return true;
  };
  const onAbort = () => stopClaims(shared);
  opts.signal?.addEventListener('abort', onAbort);
  if (opts.signal?.aborted) stopClaims(shared);

  const workerRuns: Promise<void>[] = [];
  let workerError: unknown = null;
  let lost = 0;
  /* Per worker run: 1 once it has begun claiming (worker.ts). A run that fails before that lost no task. */
  const begun = new Int32Array(new SharedArrayBuffer(Math.max(1, workerThreads) * Int32Array.BYTES_PER_ELEMENT));
  const waitingForWorkers = (): boolean => {
    let n = lost;
    for (let w = 0; w < workerThreads; w++) n += Atomics.load(begun, w);
    return n < workerThreads;
  };
  /* Re-checked whenever a worker reports or ends: the calling thread waits on events, not on a timer. */
  let wake: (() => void) | null = null;
  const poke = () => wake?.();
  let over = false;
  let settled = 0;
  const ended = () => {
    settled++;
    poke();
  };
  const startWorker = (w: number) => {
    const wk = workers[w]!;
    const payload: WorkerPayload = { ref, opts: payloadOpts, tasks, todo, shared, begun: begun.buffer as SharedArrayBuffer, slot: w, ...(opts.workersFailBeforeClaiming ? { failBeforeClaiming: true } : {}) };
    const run = new Promise<void>((resolve, reject) => {
      wk.on('message', (m: WorkerReply) => {
        if (m.kind === 'result') {
          if (accept(m.result)) ranInWorkers++;
        } else if (m.kind === 'done') resolve();
        else reject(new Error(m.message));
        poke();
      });
      wk.on('error', (e) => {
        reject(e);
        poke();
      });
      wk.on('exit', () => {
        reject(new Error('worker thread exited before it was done'));
        poke();
      });
    });
    run.catch((e: unknown) => {
      // Runs still going when the search is over are terminated: not a failure.
      if (over) return;
      // A run that failed before claiming anything lost no task: the calling thread searches on without it.
      if (callingSearches && Atomics.load(begun, w) === 0) {
        lost++;
        opts.onWarning?.(`a worker thread failed before searching (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); the search goes on without it`);
        return;
      }
      // Otherwise keep the first failure; the calling thread stops claiming and rethrows it.
      workerError ??= e;
      stopClaims(shared);
    });
    workerRuns.push(run.then(ended, ended));
    wk.postMessage(payload);
  };
  let started = false;
  const startWorkers = () => {
    if (started) return;
    started = true;
    if (workers.length === 0) newWorkers();
    for (let w = 0; w < workerThreads; w++) startWorker(w);
  };
  const searchStart = performance.now();
  /* Between the calling thread's tasks and slices: the workers start once the search has lasted startAfter with tasks left. */
  const maybeStartWorkers = () => {
    if (!started && performance.now() - searchStart >= startAfter && claimsLeft(shared)) startWorkers();
  };
  if (startAfter === 0 || !callingSearches) startWorkers();
  try {
    for (;;) {
      maybeStartWorkers();
      // Until every worker has begun, take the smallest tasks (from the back): piscina hands a worker its run from this thread's event loop.
      const i = callingSearches ? claimNext(shared, todo, waitingForWorkers()) : undefined;
      if (i === undefined) break;
      // In slices: signal handlers, checkpoint timers and the workers' results run in between, even in a long task.
      // An abort stops the claims (onAbort), so claimsStopped covers it.
      const r = await runTaskSliced(payloadOpts, i, tasks[i]!, resolved, () => {
        maybeStartWorkers();
        return claimsStopped(shared);
      });
      if (r === null) break;
      accept(r);
      await tick();
    }
    // Wait for the tasks still running in workers; a worker that never started claimed none, and is not waited for.
    while (!claimsStopped(shared) && settled < workerRuns.length && unresolved(shared, todo, (i) => results[i] !== undefined).length > 0) {
      await new Promise<void>((res) => (wake = res));
      wake = null;
    }
    if (workerError !== null) throw workerError;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    over = true;
    await terminate();
  }
  return { tasks, results, elapsedMs: performance.now() - t0, ranInWorkers };
}

/** Parallel exhaustive DPOR of `ref`; the outcome is the same for every worker count. */
export async function exploreParallel(ref: ProgramRef, opts: ParallelOptions = {}): Promise<Outcome & { readonly tasks: number }> {
  const run = await runTasks(ref, opts);
  return { ...mergeTaskResults(run.results, opts, run.elapsedMs), tasks: run.tasks.length };
}

export { resultsUsed };
