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
import { InputRefused, readInputText } from './input.ts';
import { runTasks, type ParallelOptions } from './parallel.ts';
import { fullOptions, mergeTaskResults, planKey, type ProgramRef, type TaskResult } from './tasks.ts';
import { MAX_DEPTH, MAX_TASKS, checkViolations, optionsSchema, refSchema, sha256, taskOptions, taskResultSchema, tooDeep, versionSchema } from './shard.ts';
import { canonicalJson, hashHolds, programNames, searchPlan, tasksHash, untrustedResolver, verifyPlan, withHash } from './integrity.ts';
import type { SplitTask, TaskOptions } from './tasks.ts';

export interface Checkpoint {
  readonly format: 'pagercheck-checkpoint';
  readonly version: 4;
  readonly plan: string;
  readonly ref: ProgramRef;
  /** Every option that decides the search, defaults filled in (fullOptions). */
  readonly options: Required<TaskOptions>;
  /** What the resolver says the program is (the catalog scenario and the variant, for the pager). */
  readonly scenario?: string;
  readonly variant?: string;
  /** Every task (prefix and sleep set at its end), by index. */
  readonly tasks: readonly SplitTask[];
  /** tasksHash(tasks): a resume plans the search again and compares. */
  readonly planHash: string;
  /** Finished tasks, by ascending index. */
  readonly done: readonly TaskResult[];
  /** Wall time of the runs so far (all sessions). */
  readonly elapsedMs: number;
  /** contentHash of every other field (integrity.ts). */
  readonly hash: string;
}

const checkpointSchema = z.object({
  format: z.literal('pagercheck-checkpoint'),
  version: versionSchema(4),
  plan: z.string().max(10_000),
  ref: refSchema,
  options: optionsSchema,
  scenario: z.string().max(256).optional(),
  variant: z.string().max(64).optional(),
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
  planHash: sha256,
  done: z.array(taskResultSchema).max(MAX_TASKS),
  elapsedMs: z.number().min(0).max(Number.MAX_SAFE_INTEGER),
  hash: sha256,
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

const EDITED = 'give the checkpoint as explore wrote it';

/**
 * Reads a checkpoint and checks what it can without the program: its content
 * hash, the resolver it names, its plan key and plan hash, and that its
 * finished tasks are tasks of it, once each. One-line Error naming what is
 * wrong. verifyCheckpoint then compares its plan with this code's.
 */
export function readCheckpoint(file: string): Checkpoint {
  let text: string;
  try {
    text = readInputText(file);
  } catch (e) {
    if (e instanceof InputRefused) throw new Error(`checkpoint ${file}: ${e.reason}: give a file written by explore --checkpoint FILE`);
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
  if (!hashHolds(v)) throw new Error(`checkpoint ${file}: hash does not match its content (edited, damaged or truncated): ${EDITED}`);
  const cp = r.data as unknown as Checkpoint;
  const bad = untrustedResolver(cp.ref);
  if (bad !== null) throw new Error(`checkpoint ${file}: ${bad}`);
  if (cp.plan !== planKey(cp.ref, cp.options)) throw new Error(`checkpoint ${file}: plan does not match its ref and options: ${EDITED}`);
  if (cp.planHash !== tasksHash(cp.tasks)) throw new Error(`checkpoint ${file}: tasks do not match its planHash: ${EDITED}`);
  let last = -1;
  for (const [k, d] of cp.done.entries()) {
    if (d.index >= cp.tasks.length) throw new Error(`checkpoint ${file}: done[${k}]: a result for task ${d.index} of ${cp.tasks.length}: ${EDITED}`);
    if (d.index <= last) throw new Error(`checkpoint ${file}: done[${k}]: task ${d.index} is out of order or twice: ${EDITED}`);
    last = d.index;
  }
  return cp;
}

/** The checkpoint's plan computed again on this code (tasks, sleep sets, hash) and its counterexamples replayed; one-line Error when one differs. */
export async function verifyCheckpoint(cp: Checkpoint, file: string): Promise<void> {
  await verifyPlan(`checkpoint ${file}`, { ...cp, tasks: cp.tasks.length }, cp.tasks);
  await checkViolations(cp.ref, cp.done, `checkpoint ${file}`);
}

/** The first option given (set in `given`) that differs from the one a file recorded, or null. */
export function optionConflict(given: TaskOptions, recorded: Required<TaskOptions>): { option: keyof TaskOptions; given: unknown; recorded: unknown } | null {
  for (const k of ['maxSteps', 'races', 'stopOnViolation', 'minTasks'] as const) if (given[k] !== undefined && given[k] !== recorded[k]) return { option: k, given: given[k], recorded: recorded[k] };
  return null;
}

export interface CheckpointOptions extends ParallelOptions {
  /** Where the frontier is written. */
  readonly file: string;
  /** Milliseconds between writes (default 5000); also written at the end and on SIGINT/SIGTERM. */
  readonly intervalMs?: number;
  /** Install SIGINT/SIGTERM handlers that write the checkpoint and stop (default true). */
  readonly handleSignals?: boolean;
}

/**
 * Runs the search of `ref` with checkpoints; `resume` (a checkpoint file)
 * continues an earlier run: its options are the file's, and an option set in
 * `opts` that differs (or another ref) is refused in one line naming it.
 */
export async function exploreCheckpointed(ref: ProgramRef | null, opts: CheckpointOptions & { readonly resume?: string }): Promise<Outcome & { readonly tasks: number; readonly resumedTasks: number }> {
  let cp: Checkpoint;
  if (opts.resume !== undefined) {
    const file = opts.resume;
    const read = readCheckpoint(file);
    if (ref !== null && canonicalJson(ref) !== canonicalJson(read.ref)) throw new Error(`checkpoint ${file} is of another search (the program ${canonicalJson(read.ref).slice(0, 200)}): resume with the program it was written with`);
    const c = optionConflict(taskOptions(opts), read.options);
    if (c !== null) throw new Error(`checkpoint ${file} was written with ${c.option} ${String(c.recorded)}, not ${String(c.given)}: resume without that option, or with the value it was written with`);
    await verifyCheckpoint(read, file);
    cp = read;
  } else {
    if (ref === null) throw new Error('a program is needed unless resuming from a checkpoint');
    const options = fullOptions(taskOptions(opts));
    const plan = await searchPlan(ref, options);
    cp = withHash({ format: 'pagercheck-checkpoint', version: 4, plan: planKey(ref, options), ref, options, ...programNames(plan.resolved), tasks: plan.tasks, planHash: plan.hash, done: [], elapsedMs: 0 });
  }
  const known = new Map<number, TaskResult>(cp.done.map((d) => [d.index, d]));
  const resumedTasks = known.size;
  const t0 = performance.now();
  const snapshot = (): Checkpoint => {
    const { hash: _old, ...body } = cp;
    return withHash({ ...body, done: [...known.values()].sort((a, b) => a.index - b.index), elapsedMs: cp.elapsedMs + (performance.now() - t0) });
  };
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
