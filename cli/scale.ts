/*
 * `explore` at scale (checker/SCALE.md): the split search on worker threads
 * (--workers), one shard of it (--shard i/n --report FILE) for a batch engine,
 * checkpointed runs (--checkpoint FILE, --resume FILE), and `merge` of shard
 * reports. These searches are DPOR below a fully enumerated split, so their
 * execution counts differ from a plain `explore` but never depend on the
 * number of workers or shards.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { violationKey, type Counterexample } from '../checker/counterexample.ts';
import type { Outcome } from '../checker/explore.ts';
import { exploreParallel, type ParallelOptions } from '../checker/parallel.ts';
import { makeTaskProgress } from './progress.ts';
import { mergeShards, parseShard, parseShardReport, runShard, type ShardReport } from '../checker/shard.ts';
import { exploreCheckpointed, readCheckpoint, writeFileAtomic } from '../checker/checkpoint.ts';
import type { ProgramRef, TaskOptions } from '../checker/tasks.ts';
import { BadInput } from './args.ts';
import * as pagerResolver from '../traces/checked.ts';
import { registerResolver } from '../checker/tasks.ts';

// The command is a bundle: it carries the pager's resolver rather than importing its TypeScript at run time.
registerResolver(pagerResolver.SCENARIO_RESOLVER, pagerResolver);
const { scenarioRef } = pagerResolver;
import type { Io } from './io.ts';

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
  readonly strategy?: string;
  readonly maxSteps?: number;
  readonly races?: boolean;
  readonly first?: boolean;
  readonly spec: boolean;
  readonly out: string;
}

function programRef(base: ScaleBase): ProgramRef {
  if (base.strategy !== undefined && base.strategy !== 'dpor')
    throw new BadInput(`--workers, --shard, --checkpoint and --resume run the split DPOR search, not --strategy ${base.strategy}; accepted: --strategy dpor or none`);
  if (base.scenarios.length !== 1 || base.variants.length !== 1)
    throw new BadInput(`--workers, --shard, --checkpoint and --resume take one catalog scenario and one variant (got ${base.scenarios.length} scenario(s), ${base.variants.length} variant(s)); accepted: explore NAME --variant V`);
  return scenarioRef(base.scenarios[0]!, base.variants[0]!, base.spec);
}

function taskOpts(base: ScaleBase, o: ScaleOpts): TaskOptions {
  return {
    ...(base.maxSteps !== undefined ? { maxSteps: base.maxSteps } : {}),
    races: base.races === true,
    stopOnViolation: base.first === true,
    ...(o.tasks !== undefined ? { minTasks: o.tasks } : {}),
  };
}

/** Runs explore with the scale options; returns the exit code. */
export async function scaleExplore(io: Io, signal: AbortSignal, base: ScaleBase, o: ScaleOpts): Promise<number> {
  if ((o.shard === undefined) !== (o.report === undefined)) throw new BadInput('--shard and --report go together; accepted: --shard i/n --report FILE');
  if (o.shard !== undefined && (o.checkpoint !== undefined || o.resume !== undefined)) throw new BadInput('--shard runs one slice of the search and does not checkpoint; accepted: --shard with --report, or --checkpoint/--resume without --shard');
  // Before searching: a report or checkpoint that cannot be written must not cost the run.
  if (o.report !== undefined) ensureDir('--report', o.report);
  if (o.checkpoint !== undefined) ensureDir('--checkpoint', o.checkpoint);
  const resumed = o.resume;
  const ref = resumed !== undefined && base.scenarios.length === 0 ? null : programRef(base);
  const name = ref === null ? `resumed ${resumed}` : `${base.scenarios[0]} on ${base.variants[0]}`;
  const progress = splitProgress(io, name);
  /* What every form of the split search is run with. */
  const run = {
    ...taskOpts(base, o),
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    signal,
    onWarning: (m: string) => io.err(`pagercheck: ${m}\n`),
    ...progress.hooks,
  };
  const checkpointing = { handleSignals: false, ...(o.checkpointInterval !== undefined ? { intervalMs: o.checkpointInterval } : {}) };
  if (resumed !== undefined) {
    try {
      readCheckpoint(resumed);
    } catch (e) {
      throw new BadInput((e as Error).message);
    }
    const file = o.checkpoint ?? resumed;
    const out = await exploreCheckpointed(ref, { ...run, ...checkpointing, file, resume: resumed }).finally(progress.end);
    io.err(`pagercheck: resumed ${out.resumedTasks} finished task(s) of ${out.tasks} from ${resumed}; checkpoint kept in ${file}\n`);
    return report(io, signal, name, out, base.out);
  }
  const search = ref!; // null only when resuming
  if (o.shard !== undefined) {
    let shard;
    try {
      shard = parseShard(o.shard);
    } catch (e) {
      throw new BadInput((e as Error).message);
    }
    const rep = await runShard(search, shard, run).finally(progress.end);
    writeFileAtomic(o.report!, `${JSON.stringify(rep)}\n`);
    const found = rep.results.reduce((n, r) => n + r.violations.length, 0);
    io.out(`shard ${shard.index}/${shard.count} of ${name}: ${rep.results.length} of ${rep.tasks} tasks, ${rep.results.reduce((n, r) => n + r.executions, 0)} executions, ${found} violation(s); report written to ${o.report}\nmerge the shards with: pagercheck merge REPORT...\n`);
    if (found > 0) return 1;
    return signal.aborted ? 130 : 0;
  }
  const out = await (o.checkpoint !== undefined ? exploreCheckpointed(search, { ...run, ...checkpointing, file: o.checkpoint }) : exploreParallel(search, run)).finally(progress.end);
  return report(io, signal, name, out, base.out);
}

/** `pagercheck merge REPORT...`: one outcome from every shard's report. */
export function mergeCmd(io: Io, files: readonly string[], outDir: string): number {
  if (files.length === 0) throw new BadInput('merge needs the shard reports; accepted: pagercheck merge FILE...');
  const reports: ShardReport[] = files.map((f) => {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
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
    out = mergeShards(reports);
  } catch (e) {
    throw new BadInput((e as Error).message);
  }
  const name = refName(reports[0]!.ref);
  return report(io, new AbortController().signal, `merged ${files.length} shard(s) of ${name}`, out, outDir);
}

function report(io: Io, signal: AbortSignal, name: string, out: Outcome & { readonly tasks: number }, outDir: string): number {
  const s = out.stats;
  io.out(
    `${name}: ${out.status}; ${s.executions} executions, ${s.steps} steps, ${out.tasks} tasks, ${s.complete ? 'complete' : 'not complete'}, ${(s.elapsedMs / 1000).toFixed(1)} s\n`,
  );
  if (out.status === 'error') {
    io.err(`pagercheck: ${out.error.message}\n`);
    return 3;
  }
  const violations = out.status === 'violation' ? out.violations : [];
  const files = writeCounterexamples(violations, outDir);
  for (const [i, cex] of violations.entries()) io.out(`  violation ${i + 1}: ${violationKey(cex.violation)}${files[i] ? `  (${files[i]})` : ''}\n`);
  if (files.length) io.out(`replay one with: pagercheck replay ${files[0]}\n`);
  if (violations.length > 0) return 1;
  return signal.aborted ? 130 : 0;
}

function writeCounterexamples(cexs: readonly Counterexample[], dir: string): string[] {
  if (cexs.length === 0) return [];
  mkdirSync(dir, { recursive: true });
  return cexs.map((cex, i) => {
    const f = join(dir, `${cex.scenario ?? 'program'}.${cex.variant ?? 'seed'}.${i + 1}.cex.json`);
    writeFileSync(f, `${JSON.stringify(cex, null, 2)}\n`);
    return f;
  });
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
function splitProgress(io: Io, label: string): { hooks: Pick<ParallelOptions, 'onPlanned' | 'onResult'>; end: () => void } {
  let total = 0;
  let done = 0;
  let executions = 0;
  let violations = 0;
  const sink = makeTaskProgress(io, label);
  const push = () => sink.update({ tasksDone: done, tasksTotal: total, executions, violations });
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
    end: () => sink.end(),
  };
}

/** "alloc-race on seed" for the pager's refs, else the resolver and its data. */
function refName(r: ProgramRef): string {
  const d = r.data as { scenario?: unknown; variant?: unknown } | null;
  if (d !== null && typeof d === 'object' && typeof d.scenario === 'string') return `${d.scenario} on ${typeof d.variant === 'string' ? d.variant : 'seed'}`;
  return `${r.resolver} ${JSON.stringify(r.data)}`;
}
