/*
 * Piscina worker (bundled with the ref's resolver, bundle.ts, or loaded
 * through worker.mjs, which imports the resolver through tsx): claims subtree tasks from the
 * shared claim counter (parallel.ts) and runs them until none is left, so a
 * worker never waits for the calling thread to hand it the next task (that
 * thread searches too). Each result is posted on the run's port as soon as
 * it is known (progress, checkpoints) and all are returned at the end.
 */
import type { MessagePort } from 'node:worker_threads';
import { resolveProgram, type SplitTask, runTask, type ProgramRef, type ResolvedProgram, type TaskOptions, type TaskResult } from './tasks.ts';

export { registerResolver } from './tasks.ts';
import { claimTasks } from './claim.ts';

export interface WorkerPayload {
  readonly ref: ProgramRef;
  readonly opts: TaskOptions;
  readonly tasks: readonly SplitTask[];
  /** Task indices to run, in claim order. */
  readonly todo: readonly number[];
  /** The claim state (claim.ts), shared by every thread of the run. */
  readonly shared: SharedArrayBuffer;
  /** One Int32 per worker run, set to 1 (at `slot`) before this run claims anything. */
  readonly begun: SharedArrayBuffer;
  readonly slot: number;
  readonly port: MessagePort;
  /** Tests only: fail before claiming, as a worker that cannot load its program would. */
  readonly failBeforeClaiming?: boolean;
}

let cachedKey = '';
let cached: ResolvedProgram | null = null;

export default async function runTasksInWorker(p: WorkerPayload): Promise<TaskResult[]> {
  const key = JSON.stringify(p.ref);
  if (cached === null || key !== cachedKey) {
    cached = await resolveProgram(p.ref);
    cachedKey = key;
  }
  const resolved = cached;
  if (p.failBeforeClaiming) throw new Error('worker told to fail before claiming (test)');
  Atomics.store(new Int32Array(p.begun), p.slot, 1);
  const out: TaskResult[] = [];
  claimTasks(p.shared, p.todo, p.opts.stopOnViolation ?? true, (i) => {
    const r = runTask(p.opts, i, p.tasks[i]!, resolved);
    out.push(r);
    p.port.postMessage(r);
    return r;
  });
  p.port.close();
  return out;
}
