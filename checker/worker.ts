/*
 * The worker thread (node:worker_threads; bundled with the ref's resolver,
 * bundle.ts, or loaded through worker.mjs, which imports the resolver
 * through tsx): told its payload once, it claims subtree tasks from the
 * shared claim counters (claim.ts) and runs them until none is left, so a
 * worker never waits for the calling thread to hand it the next task (that
 * thread searches too). Each result is posted as soon as it is known
 * (progress, checkpoints), then 'done'.
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import { resolveProgram, type SplitTask, runTask, type ProgramRef, type ResolvedProgram, type TaskOptions, type TaskResult } from './tasks.ts';
import { claimTasks } from './claim.ts';

export { registerResolver } from './tasks.ts';

export interface WorkerPayload {
  readonly ref: ProgramRef;
  readonly opts: TaskOptions;
  readonly tasks: readonly SplitTask[];
  /** Task indices to run, in claim order. */
  readonly todo: readonly number[];
  /** The claim state (claim.ts), shared by every thread of the run. */
  readonly shared: SharedArrayBuffer;
  /** One Int32 per worker, set to 1 (at `slot`) before this worker claims anything. */
  readonly begun: SharedArrayBuffer;
  readonly slot: number;
  /** Tests only: fail before claiming, as a worker that cannot load its program would. */
  readonly failBeforeClaiming?: boolean;
}

export type WorkerReply = { readonly kind: 'result'; readonly result: TaskResult } | { readonly kind: 'done' } | { readonly kind: 'error'; readonly message: string };

/** Runs the payload's tasks in this thread, telling `post` each result. */
export async function runTasksInWorker(p: WorkerPayload, post: (r: TaskResult) => void): Promise<void> {
  const resolved: ResolvedProgram = await resolveProgram(p.ref);
  if (p.failBeforeClaiming) throw new Error('worker told to fail before claiming (test)');
  Atomics.store(new Int32Array(p.begun), p.slot, 1);
  claimTasks(p.shared, p.todo, p.opts.stopOnViolation ?? true, (i) => {
    const r = runTask(p.opts, i, p.tasks[i]!, resolved);
    post(r);
    return r;
  });
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  port.once('message', (p: WorkerPayload) => {
    runTasksInWorker(p, (result) => port.postMessage({ kind: 'result', result } satisfies WorkerReply)).then(
      () => port.postMessage({ kind: 'done' } satisfies WorkerReply),
      (e: unknown) => port.postMessage({ kind: 'error', message: e instanceof Error ? e.message : String(e) } satisfies WorkerReply),
    );
  });
}
