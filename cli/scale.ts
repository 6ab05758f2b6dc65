/*
 * `explore` at scale (checker/SCALE.md): the split search on worker threads
 * (--workers), one shard of it (--shard i/n --report FILE) for a batch engine,
 * checkpointed runs (--checkpoint FILE, --resume FILE), and `merge` of shard
 * reports. The search and the merge settle through the one runner
 * (properties/run.ts, via cli/run.ts): the same minimized traces and the
 * same expectations as a plain explore. These searches are exhaustive DPOR
 * below a fully enumerated split, so their execution counts differ from a
 * plain `explore` but never depend on the number of workers or shards.
 */
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { violationKey } from '../checker/counterexample.ts';
import { InputRefused, readInputText } from '../checker/input.ts';
import { checkViolations, mergeShards, parseShard, parseShardReport, runShard, shardTasks, unrun, verifyReport, type ShardReport } from '../checker/shard.ts';
import { readCheckpoint, verifyCheckpoint, writeFileAtomic, type Checkpoint } from '../checker/checkpoint.ts';
import { registerResolver, type ProgramRef, type TaskResult } from '../checker/tasks.ts';
import { checkSplit, type Bounds } from '../properties/run.ts';
import { catalogScenario } from '../properties/catalog.ts';
import * as pagerResolver from '../traces/checked.ts';
import { BadInput } from './args.ts';
import { EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_VIOLATION } from './exit.ts';
import { writeOrKeep, type Io } from './io.ts';
import { makeTaskProgress } from './progress.ts';
import { runOne, settleMerged, writeTraces, type RunRequest, type RunResult } from './run.ts';
import { stoppedEarly, summaryTable } from './summary.ts';

// The command is a bundle: it carries the pager's resolver rather than importing its TypeScript at run time.
registerResolver(pagerResolver.SCENARIO_RESOLVER, pagerResolver);
const { scenarioRef, SCENARIO_RESOLVER } = pagerResolver;

export interface ScaleOpts {
  readonly workers?: number;
  readonly shard?: string;
  readonly report?: string;
  readonly checkpoint?: string;
  readonly resume?: string;
  readonly checkpointInterval?: number;
  readonly tasks?: number;
}

/** True when the options ask for the split search rather than a plain explore. */
export function wantsScale(o: ScaleOpts): boolean {
  return o.workers !== undefined || o.shard !== undefined || o.report !== undefined || o.checkpoint !== undefined || o.resume !== undefined || o.tasks !== undefined;
}

export interface ScaleBase {
  readonly scenarios: readonly string[];
  readonly variants: readonly string[];
  readonly bounds: Bounds;
  readonly races: boolean;
  readonly first: boolean;
  readonly spec: boolean;
  /** Per-counterexample minimization budget; `minimizeGiven`: set on the command line (not the default). */
  readonly minimizeMs: number;
  readonly minimizeGiven: boolean;
  readonly out: string;
  /** --variant was given on the command line (not its default): a resume compares it with the checkpoint's. */
  readonly variantGiven?: boolean;
}

/** The catalog scenario, variant and spec flag a pager ref names; a one-line BadInput for any other ref. */
function refTarget(ref: ProgramRef, what: string): { scenario: string; variant: string; spec: boolean } {
  const d = ref.data as { scenario?: unknown; variant?: unknown; spec?: unknown } | null;
  if (ref.resolver !== SCENARIO_RESOLVER || d === null || typeof d !== 'object' || typeof d.scenario !== 'string')
    throw new BadInput(`${what} is of a program of ${ref.resolver}, not of a catalog scenario; accepted: files written by pagercheck explore`);
  return { scenario: d.scenario, variant: typeof d.variant === 'string' ? d.variant : 'seed', spec: d.spec === true };
}

function scenarioOf(name: string) {
  try {
    return catalogScenario(name);
  } catch (e) {
    throw new BadInput((e as Error).message);
  }
}

/** Runs explore with the scale options; returns the exit code. */
export async function scaleExplore(io: Io, signal: AbortSignal, given: ScaleBase, o: ScaleOpts): Promise<number> {
  let base = given;
  if ((o.shard === undefined) !== (o.report === undefined)) throw new BadInput('--shard and --report go together; accepted: --shard i/n --report FILE');
  if (o.shard !== undefined && (o.checkpoint !== undefined || o.resume !== undefined)) throw new BadInput('--shard runs one slice of the search and does not checkpoint; accepted: --shard with --report, or --checkpoint/--resume without --shard');
  if (o.shard !== undefined && base.bounds.timeBudgetMs !== undefined) throw new BadInput('--shard runs every task of its slice (a shard cut short could not be merged); accepted: --shard without --time-budget');
  if (o.shard !== undefined && base.minimizeGiven) throw new BadInput('--shard writes a report, not traces: counterexamples are minimized by the merge; accepted: pagercheck merge --minimize DURATION');
  if (o.checkpointInterval !== undefined && o.checkpoint === undefined && o.resume === undefined) throw new BadInput('--checkpoint-interval applies to --checkpoint or --resume; accepted: --checkpoint FILE --checkpoint-interval DURATION');
  // Before searching: a report or checkpoint that cannot be written must not cost the run.
  if (o.report !== undefined) ensureDir('--report', o.report);
  if (o.checkpoint !== undefined) ensureDir('--checkpoint', o.checkpoint);
  let target: { scenario: string; variant: string; spec: boolean };
  let resumed: Checkpoint | null = null;
  let minTasks = o.tasks;
  if (o.resume !== undefined) {
    try {
      resumed = readCheckpoint(o.resume);
      await verifyCheckpoint(resumed, o.resume);
    } catch (e) {
      throw new BadInput((e as Error).message);
    }
    // The checkpoint says what the search is: an option given that differs is refused, the others come from the file.
    target = refTarget(resumed.ref, `checkpoint ${o.resume}`);
    const rec = resumed.options;
    const differs = (option: string, given: string, recorded: string) => new BadInput(`checkpoint ${o.resume} was written with ${recorded}, not ${given}; accepted: --resume FILE without ${option} (the checkpoint's is taken), or with the value it was written with`);
    if (base.scenarios.length > 1 || (base.scenarios.length === 1 && base.scenarios[0] !== target.scenario)) throw differs('the scenario', `scenario ${base.scenarios.join(' ')}`, `scenario ${target.scenario}`);
    if (given.variantGiven === true && (base.variants.length !== 1 || base.variants[0] !== target.variant)) throw differs('--variant', `--variant ${base.variants.join(',')}`, `--variant ${target.variant}`);
    if (!base.spec && target.spec) throw differs('--no-spec', '--no-spec', 'the spec checked');
    if (base.bounds.maxSteps !== undefined && base.bounds.maxSteps !== rec.maxSteps) throw differs('--max-steps', `--max-steps ${base.bounds.maxSteps}`, `--max-steps ${rec.maxSteps}`);
    if (base.races && !rec.races) throw differs('--races', '--races', 'the race detector off');
    if (base.first && !rec.stopOnViolation) throw differs('--first', '--first', 'every violation collected (no --first)');
    if (o.tasks !== undefined && o.tasks !== rec.minTasks) throw differs('--tasks', `--tasks ${o.tasks}`, `--tasks ${rec.minTasks}`);
    base = { ...base, bounds: { ...base.bounds, maxSteps: rec.maxSteps }, races: rec.races, first: rec.stopOnViolation };
    minTasks = rec.minTasks;
  } else {
    if (base.scenarios.length !== 1 || base.variants.length !== 1)
      throw new BadInput(`--workers, --shard, --checkpoint and --resume take one catalog scenario and one variant (got ${base.scenarios.length} scenario(s), ${base.variants.length} variant(s)); accepted: explore NAME --variant V`);
    target = { scenario: base.scenarios[0]!, variant: base.variants[0]!, spec: base.spec };
  }
  const ref = scenarioRef(target.scenario, target.variant, target.spec);
  const name = `${target.scenario} on ${target.variant}`;
  const progress = splitProgress(io, name);
  const req: RunRequest = {
    scenario: scenarioOf(target.scenario),
    variant: target.variant,
    bounds: base.bounds,
    checks: { spec: target.spec, races: base.races },
    first: base.first,
    minimizeMs: base.minimizeMs,
    split: {
      ref,
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      ...(minTasks !== undefined ? { minTasks } : {}),
      ...(o.checkpoint !== undefined || o.resume !== undefined
        ? { checkpoint: { file: o.checkpoint ?? o.resume!, ...(o.resume !== undefined ? { resume: o.resume } : {}), ...(o.checkpointInterval !== undefined ? { intervalMs: o.checkpointInterval } : {}) } }
        : {}),
      onWarning: (m: string) => io.err(`pagercheck: ${m}\n`),
      ...progress.hooks,
    },
  };
  try {
    checkSplit(req);
  } catch (e) {
    throw new BadInput((e as Error).message);
  }
  if (o.shard !== undefined) {
    let shard;
    try {
      shard = parseShard(o.shard);
    } catch (e) {
      throw new BadInput((e as Error).message);
    }
    const split = req.split!;
    const maxSteps = base.bounds.maxSteps ?? req.scenario.bounds.maxSteps;
    const rep = await runShard(ref, shard, {
      ...(maxSteps !== undefined ? { maxSteps } : {}),
      races: base.races,
      stopOnViolation: base.first,
      ...(split.minTasks !== undefined ? { minTasks: split.minTasks } : {}),
      ...(split.workers !== undefined ? { workers: split.workers } : {}),
      signal,
      onWarning: split.onWarning!,
      ...progress.hooks,
    }).finally(progress.end);
    const kept = writeOrKeep('--report', o.report!, (f) => {
      const file = f === o.report ? f : join(f, basename(o.report!));
      writeFileAtomic(file, `${JSON.stringify(rep)}\n`);
      return file;
    });
    const found = rep.results.reduce((n, r) => n + r.violations.length, 0);
    const partial = rep.status === 'interrupted' ? `INTERRUPTED with ${unrun(shardTasks(rep.tasks, shard), rep.results, rep.options.stopOnViolation).length} of its tasks not run (the report says so; run the shard again before the merge), ` : '';
    io.out(`shard ${shard.index}/${shard.count} of ${name}: ${partial}${rep.results.length} of ${rep.tasks} tasks, ${rep.results.reduce((n, r) => n + r.executions, 0)} executions, ${found} violation(s); report written to ${kept.value}\nmerge the shards with: pagercheck merge REPORT...\n`);
    if (kept.lost !== null) {
      io.err(`pagercheck: ${kept.lost}\n`);
      return EXIT_BAD_INPUT;
    }
    if (found > 0) return EXIT_VIOLATION;
    return signal.aborted ? EXIT_INTERRUPTED : EXIT_OK;
  }
  let r: RunResult;
  try {
    r = await runOne(req, { signal });
  } finally {
    progress.end();
  }
  if (resumed !== null) io.err(`pagercheck: resumed ${resumed.done.length} finished task(s) of ${resumed.tasks.length} from ${o.resume}; checkpoint kept in ${o.checkpoint ?? o.resume}\n`);
  return report(io, signal, name, r, base.out);
}

/** `pagercheck merge REPORT...`: one outcome from every shard's report, settled (minimized, traces, expectations) as explore's. */
export async function mergeCmd(io: Io, files: readonly string[], outDir: string, minimizeMs: number): Promise<number> {
  if (files.length === 0) throw new BadInput('merge needs the shard reports; accepted: pagercheck merge FILE...');
  const reports: ShardReport[] = files.map((f) => {
    let text: string;
    try {
      text = readInputText(f);
    } catch (e) {
      if (e instanceof InputRefused) throw new BadInput(`shard report ${f}: ${e.reason}; accepted: files written by explore --shard i/n --report FILE`);
      throw new BadInput(`cannot read shard report ${f}; accepted: files written by explore --shard i/n --report FILE`);
    }
    try {
      return parseShardReport(text, f);
    } catch (e) {
      throw new BadInput((e as Error).message);
    }
  });
  let out;
  try {
    // The plan computed again on this code before anything is allocated for the reports' tasks.
    for (const [i, r] of reports.entries()) await verifyReport(r, `shard report ${files[i]}`);
    out = mergeShards(reports, files);
    for (const [i, r] of reports.entries()) await checkViolations(r.ref, r.results, `shard report ${files[i]}`);
  } catch (e) {
    throw new BadInput((e as Error).message);
  }
  const first = reports[0]!;
  const t = refTarget(first.ref, `shard report ${files[0]}`);
  const req: RunRequest = {
    scenario: scenarioOf(t.scenario),
    variant: t.variant,
    bounds: first.options.maxSteps !== undefined ? { maxSteps: first.options.maxSteps } : {},
    checks: { spec: t.spec, races: first.options.races ?? true },
    first: first.options.stopOnViolation ?? true,
    minimizeMs,
  };
  return report(io, new AbortController().signal, `merged ${files.length} shard(s) of ${t.scenario} on ${t.variant}`, settleMerged(req, out, files.length === 1 ? `shard report ${files[0]}` : `the shard reports`), outDir);
}

function report(io: Io, signal: AbortSignal, name: string, r: RunResult, outDir: string): number {
  const early = r.violations.length === 0 && r.error === undefined ? stoppedEarly(r) : null;
  io.out(`${name}: ${early === null ? r.status : early.nothing ? 'NOTHING EXPLORED' : 'ok so far'}; ${r.executions} executions, ${r.steps} steps, ${r.tasks ?? 0} tasks, ${r.complete ? 'complete' : 'not complete'}, ${(r.ms / 1000).toFixed(1)} s\n`);
  io.out(summaryTable([r]));
  if (r.error !== undefined) {
    io.err(`pagercheck: ${r.error.split('\n')[0]}\n`);
  }
  const { value: files, lost } = writeOrKeep('--out', outDir, (d) => writeTraces([r], d));
  if (lost !== null) io.err(`pagercheck: ${lost}\n`);
  for (const [i, cex] of r.violations.entries()) io.out(`  violation ${i + 1}: ${violationKey(cex.violation)}${files[i] ? `  (${files[i]})` : ''}\n`);
  if (files.length) io.out(`replay one with: pagercheck replay ${files[0]}\n`);
  if (r.error !== undefined) return EXIT_INTERNAL;
  if (lost !== null) return EXIT_BAD_INPUT;
  if (r.violations.length > 0) return EXIT_VIOLATION;
  if (signal.aborted) return EXIT_INTERRUPTED;
  return early !== null ? EXIT_INCOMPLETE : EXIT_OK;
}

/** Creates the directory a file goes into; a one-line error naming the option when it cannot be. */
function ensureDir(option: string, file: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (e) {
    throw new BadInput(`${option} ${file}: cannot create its directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); accepted: a path in a writable directory`);
  }
}

/** Progress hooks of a split search (tasks planned, each task's result) feeding a task progress display. */
function splitProgress(io: Io, label: string): { hooks: { onPlanned: (tasks: number, toRun: number) => void; onResult: (r: Pick<TaskResult, 'executions' | 'violations'>) => void }; end: () => void } {
  let total = 0;
  let done = 0;
  let executions = 0;
  let violations = 0;
  const sink = makeTaskProgress(io, label);
  const push = () => sink.update({ tasksDone: done, tasksTotal: total, executions, violations });
  let ended = false;
  return {
    hooks: {
      onPlanned(_tasks, toRun) {
        total = toRun;
        push();
      },
      onResult(r) {
        done++;
        executions += r.executions;
        violations += r.violations.length;
        push();
      },
    },
    end: () => {
      if (ended) return;
      ended = true;
      sink.end();
    },
  };
}
