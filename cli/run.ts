/*
 * Runs scenarios for the CLI through the one runner (properties/run.ts
 * runScenarioAsync), with the program of traces/checked.ts (the spec
 * machines in lock-step when asked), progress, Ctrl-C and the spec coverage
 * tally; every counterexample the runner returns (minimized when asked) is
 * recorded as a trace. The plain exploration and the split search
 * (cli/scale.ts) both come here, so they write the same traces and apply the
 * same expectations.
 */
import { replay, violationKey, type Counterexample } from '../checker/counterexample.ts';
import { withoutThreads } from '../properties/findings.ts';
import { BadInput } from './args.ts';
import type { Outcome } from '../checker/explore.ts';
import type { CCollector } from '../traces/ccoverage.ts';
import { expectedViolations, runScenarioAsync, settleOutcome, strategyOf, strategyText, type Bounds, type ProgramSource, type RunEnv, type Split, type RunResult as CoreResult } from '../properties/run.ts';
import type { Scenario } from '../properties/scenario.ts';
import type { Conformance, CoverageTally } from '../spec/conformance.ts';
import type { MachineName } from '../spec/catalog.ts';
import { checkedProgram, type Checks } from '../traces/checked.ts';
import { recordTrace, saveTrace, traceSlug, type ReplayInput, type Trace } from '../traces/trace.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ProgressSink } from './progress.ts';

export { expectedViolations, strategyOf, strategyText, type Bounds };

export interface RunRequest {
  readonly scenario: Scenario;
  readonly variant: string;
  readonly bounds: Bounds;
  readonly checks: Checks;
  /** Stop at the first violation instead of collecting every distinct one. */
  readonly first: boolean;
  /** Wall time for minimizing each counterexample; 0: keep them as found. */
  readonly minimizeMs: number;
  /** The split search instead of one exploration. */
  readonly split?: Split;
  /** DPOR below these decisions only (replay --continue). */
  readonly prefix?: readonly number[];
}

export interface RunResult extends CoreResult {
  readonly traces: readonly Trace[];
}

export interface RunHooks {
  readonly signal?: AbortSignal;
  readonly progress?: ProgressSink;
  /** Spec transitions and states seen, merged over every run. */
  readonly tally?: CoverageTally;
  /** C coverage (traces/ccoverage.ts): wraps the run's strategy; minimization and recording are not counted. */
  readonly ccov?: CCollector;
}

/** The programs of traces/checked.ts; `explored` gets the explored program's spec monitor (for the tally). */
function checkedSource(explored: (c: Conformance | null) => void): ProgramSource {
  return (scenario, variant, checks, monitors, purpose) => {
    const cp = checkedProgram(scenario, variant, checks, {}, monitors);
    if (purpose === 'explore') explored(cp.conformance);
    return cp.program;
  };
}

export async function runOne(req: RunRequest, hooks: RunHooks = {}): Promise<RunResult> {
  let conformance: Conformance | null = null;
  const env: RunEnv = {
    programs: checkedSource((c) => (conformance = c)),
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    onBegin: (label) => {
      hooks.progress?.begin(label);
      hooks.ccov?.exploring(label);
    },
    ...(hooks.progress ? { onProgress: (p) => hooks.progress!.update(p) } : {}),
    onEnd: () => {
      hooks.progress?.end();
      hooks.ccov?.explored();
    },
    ...(hooks.ccov ? { wrapStrategy: (s) => hooks.ccov!.wrap(s) } : {}),
  };
  const r = await runScenarioAsync({ ...req, witnesses: false }, env);
  // Workers followed the machines of their own copies: the tally covers plain explorations only.
  if (conformance !== null && hooks.tally && req.split === undefined) mergeTally(hooks.tally, (conformance as Conformance).tally);
  return withTraces(req, r);
}

/**
 * The result of a split search merged from shard reports, settled as runOne
 * settles its own. The reports are input: a counterexample in them that does
 * not replay to its violation on this code is refused (BadInput), not minimized.
 */
export function settleMerged(req: RunRequest, outcome: Outcome & { readonly tasks: number }, source: string): RunResult {
  if (outcome.status !== 'ok') {
    const program = checkedProgram(req.scenario, req.variant, req.checks).program;
    for (const [i, cex] of outcome.violations.entries()) {
      const r = replay(program, cex, { withoutThreads: (names) => {
        const reduced = withoutThreads(req.scenario, names);
        return reduced === null ? null : checkedProgram(reduced, req.variant, req.checks).program;
      } });
      if (r.status !== 'replayed' || !r.same)
        throw new BadInput(`${source}: counterexample ${i + 1} (${violationKey(cex.violation)}) does not replay to its violation on this code${r.status === 'diverged' ? ` (step ${r.step}: ${r.message.split('\n')[0]})` : ''}; accepted: reports written by explore --shard on this version`);
    }
  }
  return withTraces(req, settleOutcome(req, outcome, { programs: checkedSource(() => {}) }));
}

/** Where a recorded schedule stops fitting the code, and what the search below the part that fits found. */
export interface Continued {
  /** Null: the whole schedule fits (a plain replay applies). */
  readonly diverged: { readonly step: number; readonly message: string } | null;
  /** Recorded steps followed before the search took over. */
  readonly followed: number;
  readonly result: RunResult | null;
}

/**
 * replay --continue: follows the counterexample's schedule as far as it fits
 * the current code (whole steps, with their choices), then explores on from
 * there with DPOR below that prefix (DporStrategy's prefix, as the split
 * search's tasks do), stopping at the first violation.
 */
export async function continueReplay(input: ReplayInput, o: { readonly timeBudgetMs: number; readonly minimizeMs: number }, hooks: RunHooks = {}, source = 'the file'): Promise<Continued> {
  const cex = input.counterexample;
  const variant = cex.variant ?? 'seed';
  // A minimized counterexample runs on its scenario without the threads it dropped.
  let scenario = input.scenario;
  let reducible = true;
  if (cex.dropped !== undefined && cex.dropped.length > 0) {
    const reduced = withoutThreads(scenario, cex.dropped);
    if (reduced === null) reducible = false;
    else scenario = reduced;
  }
  let diverged: { step: number; message: string };
  if (!reducible) diverged = { step: 0, message: `the counterexample drops threads ${cex.dropped!.join(', ')}, which ${scenario.name} cannot do without` };
  else {
    const program = checkedProgram(scenario, variant, input.checks).program;
    const out = replay(program, { ...cex, dropped: [] });
    if (out.status === 'replayed') return { diverged: null, followed: cex.schedule.length, result: null };
    diverged = { step: out.step, message: out.message.split('\n')[0]! };
  }
  const followed = Math.min(diverged.step, cex.schedule.length);
  // Setup choices come first in a prefix; a setup that no longer fits leaves nothing to follow.
  const prefix = followed > 0 ? [...(cex.setupChoices ?? []), ...cex.schedule.slice(0, followed).flatMap((st) => [st.tid, ...(st.choices ?? [])])] : [];
  const maxSteps = cex.bounds['maxSteps'];
  // The search takes the recorded step bound: out of its range, the file is bad (a plain replay diverges on it).
  if (maxSteps !== undefined && !(Number.isInteger(maxSteps) && maxSteps >= 1 && maxSteps <= 1_000_000))
    throw new BadInput(`${source}: counterexample.bounds.maxSteps: ${String(maxSteps).slice(0, 24)} is out of range; accepted: a whole number from 1 to 1000000`);
  const req: RunRequest = {
    scenario,
    variant,
    bounds: { timeBudgetMs: o.timeBudgetMs, ...(maxSteps !== undefined ? { maxSteps } : {}) },
    checks: input.checks,
    first: true,
    minimizeMs: o.minimizeMs,
    prefix,
  };
  return { diverged, followed, result: await runOne(req, hooks) };
}

function withTraces(req: RunRequest, r: CoreResult): RunResult {
  const traces: Trace[] = [];
  let error = r.error;
  for (const cex of r.violations as Counterexample[]) {
    try {
      traces.push(recordTrace(req.scenario, cex, req.checks).trace);
    } catch (e) {
      error ??= `recording a counterexample of ${req.scenario.name}@${req.variant}: ${(e as Error).message}`;
    }
  }
  return { ...r, traces, ...(error !== undefined ? { error } : {}) };
}

export function emptyTally(): CoverageTally {
  return { transitions: new Map(), states: new Map() };
}

function mergeTally(into: CoverageTally, from: CoverageTally): void {
  for (const key of ['transitions', 'states'] as const) {
    for (const [m, counts] of from[key]) {
      let dst = into[key].get(m as MachineName);
      if (!dst) into[key].set(m as MachineName, (dst = new Map()));
      for (const [id, n] of counts) dst.set(id, (dst.get(id) ?? 0) + n);
    }
  }
}

/** Writes each run's traces to `dir`; returns the files. Names are unique within the call. */
export function writeTraces(results: readonly RunResult[], dir: string): string[] {
  const files: string[] = [];
  const used = new Set<string>();
  for (const r of results)
    for (const t of r.traces) {
      const slug = traceSlug(t);
      let name = `${slug}.trace.json`;
      for (let k = 2; used.has(name); k++) name = `${slug}-${k}.trace.json`;
      used.add(name);
      if (files.length === 0) mkdirSync(dir, { recursive: true });
      const f = join(dir, name);
      saveTrace(f, t);
      files.push(f);
    }
  return files;
}
