/*
 * Piscina worker (loaded through worker.mjs): runs one subtree task. The
 * program is rebuilt from its ref once per worker and kept, as programs are
 * not transferable between threads.
 */
import { resolveProgram, type SplitTask, runTask, type ProgramRef, type ResolvedProgram, type TaskOptions, type TaskResult } from './tasks.ts';

export interface TaskPayload {
  readonly ref: ProgramRef;
  readonly opts: TaskOptions;
  readonly index: number;
  readonly task: SplitTask;
}

let cachedKey = '';
let cached: ResolvedProgram | null = null;

export default function runTaskInWorker(p: TaskPayload): TaskResult {
  const key = JSON.stringify(p.ref);
  if (cached === null || key !== cachedKey) {
    cached = resolveProgram(p.ref);
    cachedKey = key;
  }
  return runTask(p.ref, p.opts, p.index, p.task, cached);
}
