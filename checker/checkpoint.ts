/*
 * Checkpoint and resume of a split search (split.ts, parallel.ts). The
 * frontier is the task list plus the results of the tasks finished so far;
 * a task still running when the process stops is not in it and is re-run
 * from scratch on resume, so its partial counts never reach the outcome:
 * the final executions and violations equal those of an uninterrupted run.
 * The file is written atomically (temporary file, then rename) every
 * `intervalMs` and on SIGINT/SIGTERM.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Outcome } from './explore.ts';
import { runTasks, type ParallelOptions } from './parallel.ts';
import { mergeTaskResults, planKey, planTasks, type ProgramRef, type TaskResult } from './tasks.ts';
import { MAX_DEPTH, MAX_TASKS, optionsSchema, refSchema, taskOptions, taskResultSchema, tooDeep } from './shard.ts';
import type { SplitTask, TaskOptions } from './tasks.ts';

export interface Checkpoint {
  readonly format: 'pagercheck-checkpoint';
  readonly version: 3;
  readonly plan: string;
  readonly ref: ProgramRef;
  readonly options: TaskOptions;
  /** Every task (prefix and sleep set at its end), by index. */
  readonly tasks: readonly SplitTask[];
  /** Finished tasks, by ascending index. */
  readonly done: readonly TaskResult[];
  /** Wall time of the runs so far (all sessions). */
  readonly elapsedMs: number;
}

const checkpointSchema = z.object({
  format: z.literal('pagercheck-checkpoint'),
  version: z.literal(3),
  plan: z.string(),
  ref: refSchema,
  options: optionsSchema,
  // Bounds as for shard reports: checked before a resume allocates for the tasks.
  tasks: z
    .array(
      z.object({
        prefix: z.array(z.number().int().min(0).max(2 ** 31 - 1)).max(1_000_000),
        sleep: z.array(z.object({ tid: z.number().int().min(0).max(1023), fp: z.array(z.object({ res: z.string().max(1000), write: z.boolean(), commute: z.enum(['shared', 'add']).optional() })).max(4096) })).max(1024),
      }),
    )
    .min(1)
    .max(MAX_TASKS),
  done: z.array(taskResultSchema).max(MAX_TASKS),
  elapsedMs: z.number().min(0).max(Number.MAX_SAFE_INTEGER),
});

/** Writes `text` to `file` atomically (temporary file, then rename): a reader sees the old file or the new one, never a torn one. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export function writeCheckpoint(file: string, cp: Checkpoint): void {
  writeFileAtomic(file, JSON.stringify(cp));
}

/** Reads and validates a checkpoint; one-line Error naming what is wrong. */
export function readCheckpoint(file: string): Checkpoint {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read checkpoint ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give a file written by explore --checkpoint FILE`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`checkpoint ${file} is not JSON: give a file written by explore --checkpoint FILE`);
  }
  if (tooDeep(v)) throw new Error(`checkpoint ${file} is not a pagercheck checkpoint (nested deeper than ${MAX_DEPTH} levels): give a file written by explore --checkpoint FILE`);
  const r = checkpointSchema.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`checkpoint ${file} is not a pagercheck checkpoint (${i ? `${i.path.join('.') || '(top)'}: ${i.message}` : 'invalid'}): give a file written by explore --checkpoint FILE`);
  }
  const cp = r.data as unknown as Checkpoint;
  if (cp.plan !== planKey(cp.ref, cp.options)) throw new Error(`checkpoint ${file} is inconsistent (its plan does not match its program and options): give an unedited checkpoint`);
  let last = -1;
  for (const d of cp.done) {
    if (d.index >= cp.tasks.length) throw new Error(`checkpoint ${file} has a result for task ${d.index} of ${cp.tasks.length}: give an unedited checkpoint`);
    if (d.index <= last) throw new Error(`checkpoint ${file}: done: task ${d.index} is out of order or twice: give an unedited checkpoint`);
    last = d.index;
  }
  return cp;
}

export interface CheckpointOptions extends ParallelOptions {
  /** Where the frontier is written. */
  readonly file: string;
  /** Milliseconds between writes (default 5000); also written at the end and on SIGINT/SIGTERM. */
  readonly intervalMs?: number;
  /** Install SIGINT/SIGTERM handlers that write the checkpoint and stop (default true). */
  readonly handleSignals?: boolean;
}

/** Runs the search of `ref` with checkpoints; `resume` (a checkpoint file) continues an earlier run. */
export async function exploreCheckpointed(ref: ProgramRef | null, opts: CheckpointOptions & { readonly resume?: string }): Promise<Outcome & { readonly tasks: number; readonly resumedTasks: number }> {
  let cp: Checkpoint;
  if (opts.resume !== undefined) {
    cp = readCheckpoint(opts.resume);
    if (ref !== null && planKey(ref, taskOptions(opts)) !== cp.plan)
      throw new Error(`checkpoint ${opts.resume} is of another search (${cp.plan}): resume with the program and options it was written with`);
  } else {
    if (ref === null) throw new Error('a program is needed unless resuming from a checkpoint');
    const options = taskOptions(opts);
    cp = { format: 'pagercheck-checkpoint', version: 3, plan: planKey(ref, options), ref, options, tasks: await planTasks(ref, options), done: [], elapsedMs: 0 };
  }
  const known = new Map<number, TaskResult>(cp.done.map((d) => [d.index, d]));
  const resumedTasks = known.size;
  const t0 = performance.now();
  const snapshot = (): Checkpoint => ({ ...cp, done: [...known.values()].sort((a, b) => a.index - b.index), elapsedMs: cp.elapsedMs + (performance.now() - t0) });
  const save = () => writeCheckpoint(opts.file, snapshot());
  save();
  const ctl = new AbortController();
  const onSignal = () => {
    save();
    ctl.abort();
  };
  const handle = opts.handleSignals ?? true;
  if (handle) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const timer = setInterval(save, opts.intervalMs ?? 5000);
  const outer = opts.signal;
  outer?.addEventListener('abort', () => ctl.abort(), { once: true });
  try {
    const run = await runTasks(cp.ref, {
      ...opts,
      ...cp.options,
      tasks: cp.tasks,
      known: [...known.values()],
      signal: ctl.signal,
      onResult: (r) => {
        known.set(r.index, r);
        opts.onResult?.(r);
      },
    });
    save();
    const outcome = mergeTaskResults(run.results, cp.options, cp.elapsedMs + run.elapsedMs);
    return { ...outcome, tasks: cp.tasks.length, resumedTasks };
  } finally {
    clearInterval(timer);
    if (handle) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
