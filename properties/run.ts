/*
 * The one runner of a scenario on a variant: runScenario(request) ->
 * RunResult, with a synchronous core and an async wrapper (the same
 * preparation and the same settling around explore or exploreAsync), and the
 * split search (checker/parallel.ts, checkpoint.ts) as a third way to explore
 * that settles the same way. Tests, mutants, the main job, `explore` and the
 * split search all come through here, so every mode has the same strategy
 * label, the same minimized counterexamples and the same expectations
 * (expectations.ts).
 *
 * The program is built by a ProgramSource: by default the properties'
 * program (program.ts); traces/checked.ts gives one that also follows the
 * spec machines. Minimization's reduced programs come from the same source,
 * so they carry the same monitors by construction.
 */
import { DEFAULT_REDUCTION, reductionByName, type Reduction } from '../checker/reductions.ts';
import { explore, exploreAsync, makeStrategy, type ExploreOptions, type Outcome, type Progress, type StrategySpec } from '../checker/explore.ts';
import { minimize } from '../checker/minimize.ts';
import type { Counterexample } from '../checker/counterexample.ts';
import type { Monitor, Program, Violation } from '../checker/runtime.ts';
import type { Strategy } from '../checker/strategy.ts';
import type { ProgramRef, TaskResult } from '../checker/tasks.ts';
import { exploreParallel } from '../checker/parallel.ts';
import { exploreCheckpointed } from '../checker/checkpoint.ts';
import { PhasedStrategy } from '../checker/strategies/phased.ts';
import { DporStrategy } from '../checker/strategies/dpor.ts';
import { violationKey } from '../checker/counterexample.ts';
import { variantByName } from '../impl/variants.ts';
import { buildProgram } from './program.ts';
import type { Scenario } from './scenario.ts';
import type { Observed } from './observed.ts';
import { WITNESSES, propertyOfViolation } from './properties.ts';
import { expectationsOf } from './expectations.ts';
import { withoutThreads } from './findings.ts';

/** The checks of a run. */
export interface Checks {
  /** Spec conformance (needs a ProgramSource that follows the machines, traces/checked.ts). */
  readonly spec: boolean;
  /** The checker's data-race detector. */
  readonly races: boolean;
}

/** What the user may bound or choose; unset: the scenario's own bounds, then the checker's defaults. */
export interface Bounds {
  readonly strategy?: StrategySpec['kind'];
  readonly preemptions?: number;
  readonly depth?: number;
  readonly maxExecutions?: number;
  readonly maxSteps?: number;
  readonly seed?: number;
  readonly timeBudgetMs?: number;
  /**
   * Executions of the seeded random phase before an exhaustive search
   * (checker/strategies/phased.ts): default DEFAULT_RANDOM_PHASE before DPOR
   * and DFS, 0 turns it off. Not counted against maxExecutions, which bounds
   * the exhaustive search. Refused with a strategy it cannot precede.
   */
  readonly randomPhase?: number;
  /**
   * DPOR's reductions by name (checker/reductions.ts; default every one on):
   * for comparison, DPOR only (plain runs and replay --continue); refused
   * with another strategy and with the split search.
   */
  readonly reduction?: string;
}

/**
 * Random-walk and PCT executions before DPOR by default: the re-check bug of
 * the allocation race at 5 creators falls in the first two, where DPOR needs
 * 852K (issue 15); 16 adds about a fifth to the main job's executions.
 */
export const DEFAULT_RANDOM_PHASE = 16;

/** The split search instead of one exploration (checker/SCALE.md): DPOR below an enumerated split. */
export interface Split {
  /** How workers rebuild the program (traces/checked.ts scenarioRef for the pager). */
  readonly ref: ProgramRef;
  readonly workers?: number;
  readonly minTasks?: number;
  readonly checkpoint?: { readonly file: string; readonly intervalMs?: number; readonly resume?: string };
  readonly onPlanned?: (tasks: number, toRun: number) => void;
  readonly onResult?: (r: TaskResult) => void;
  readonly onWarning?: (message: string) => void;
}

export interface RunRequest {
  readonly scenario: Scenario;
  readonly variant?: string;
  readonly bounds?: Bounds;
  /** Default: neither spec nor races. */
  readonly checks?: Checks;
  /** Stop at the first violation instead of collecting every distinct one (default false). */
  readonly first?: boolean;
  /** Wall time for minimizing each counterexample; 0 (default): keep them as found. */
  readonly minimizeMs?: number;
  /** Collect the witness properties reached (RunResult.witnesses); default false. */
  readonly witnesses?: boolean;
  /** Async only: the split search (refused options: see checkSplit). */
  readonly split?: Split;
  /** DPOR below these decisions only (DporStrategy's prefix; replay --continue): no random phase, not with `split`. */
  readonly prefix?: readonly number[];
}

/** Builds the program of a scenario on a variant with its monitors; `purpose` says whether it is the explored one or a reduced one. */
export type ProgramSource = (scenario: Scenario, variant: string, checks: Checks, monitors: readonly Monitor<Observed>[], purpose: 'explore' | 'minimize') => Program<Observed>;

export interface RunEnv {
  /** Default: program.ts's program, which refuses checks.spec. */
  readonly programs?: ProgramSource;
  readonly signal?: AbortSignal;
  /** Around the exploration only (not minimization). */
  readonly onBegin?: (label: string) => void;
  readonly onProgress?: (p: Progress) => void;
  readonly onEnd?: () => void;
  /** Wraps the strategy (C coverage); not with the split search. */
  readonly wrapStrategy?: (s: Strategy) => Strategy;
  /** Extra explore options (tests). */
  readonly explore?: Partial<ExploreOptions<Observed>>;
}

export interface RunResult {
  readonly scenario: string;
  readonly variant: string;
  /** "dpor", "bounded(2)", "pct(depth 3, seed 0)", "random(seed 0)". */
  readonly strategy: string;
  readonly executions: number;
  readonly steps: number;
  readonly cut: number;
  readonly complete: boolean;
  readonly stopReason: string;
  readonly ms: number;
  readonly status: Outcome['status'];
  /** Minimized when the request asks for it. */
  readonly violations: readonly Counterexample[];
  /** Properties violated, by name. */
  readonly violated: readonly string[];
  /** Of those, the ones expectations.ts does not expect for this scenario and variant. */
  readonly unexpected: readonly string[];
  /** Witness properties reached in some execution (when the request asks). */
  readonly witnesses: readonly string[];
  /** Split search: its task count. */
  readonly tasks?: number;
  /** Executions of the random phase (included in `executions`); 0 when it did not run. */
  readonly randomPhase: number;
  /** A harness error (not a violation of the pager). */
  readonly error?: string;
}

export const NO_CHECKS: Checks = { spec: false, races: false };

/** The properties' program; the spec needs the machines, which live above (traces/checked.ts). */
export const propertiesSource: ProgramSource = (scenario, variant, checks, monitors) => {
  if (checks.spec) throw new Error('spec conformance needs the spec machines: give RunEnv.programs from traces/checked.ts');
  return buildProgram(scenario, { variant, monitors });
};

/** The strategy a scenario's bounds call for: DPOR, or preemption-bounded search when a bound is stated. */
export function strategyFor(s: Scenario): StrategySpec {
  return s.bounds.preemptions !== undefined ? { kind: 'bounded', maxPreemptions: s.bounds.preemptions } : { kind: 'dpor' };
}

/** The strategy a request runs: the scenario's default unless one is named; bounds fill in its parameters. */
export function strategyOf(s: Scenario, b: Bounds = {}): StrategySpec {
  const kind = b.strategy ?? (b.preemptions !== undefined ? 'bounded' : b.depth !== undefined ? 'pct' : strategyFor(s).kind);
  switch (kind) {
    case 'bounded':
      return { kind, maxPreemptions: b.preemptions ?? s.bounds.preemptions ?? 2 };
    case 'pct':
      return { kind, depth: b.depth ?? 3 };
    default:
      return { kind };
  }
}

/**
 * The random phase a request runs before its search: before DPOR and DFS
 * (whose completeness it leaves alone), never before bounded search (whose
 * first violation must have the fewest preemptions), PCT or random (already
 * random). Asking for it where it cannot apply is a one-line RangeError.
 * The split search runs it only when asked (`randomPhase` given), so that
 * workers and shards keep one outcome (shards refuse it: cli/main.ts).
 */
export function randomPhaseOf(s: Scenario, b: Bounds = {}, split = false): number {
  const spec = split ? ({ kind: 'dpor' } as const) : strategyOf(s, b);
  const n = b.randomPhase;
  // The split search's outcome must not depend on how it is split, and a shard cannot hold the phase: there it runs when asked.
  if (split) return n ?? 0;
  if (spec.kind === 'dpor' || spec.kind === 'dfs') return n ?? DEFAULT_RANDOM_PHASE;
  if (n !== undefined && n > 0 && (b.strategy !== undefined || b.preemptions !== undefined || b.depth !== undefined))
    throw new RangeError(`--random-phase runs before dpor or dfs, not ${strategyText(spec, b.seed)} (${spec.kind === 'bounded' ? 'its first violation must have the fewest preemptions' : 'it is random already'}); accepted: --strategy dpor or dfs, or --random-phase 0`);
  return 0;
}

/** The one label format: dpor, dfs, bounded(N), pct(depth D, seed S), random(seed S). */
/**
 * The reduction a request names, or null for DPOR's default. Only DPOR has
 * them: another strategy, or the split search (whose planning and tasks run
 * the default in other threads), refuses one in a line.
 */
export function reductionOf(spec: StrategySpec, b: Bounds, split: boolean): Reduction | null {
  if (b.reduction === undefined) return null;
  const r = reductionByName(b.reduction);
  if (spec.kind !== 'dpor') throw new RangeError(`--reduction chooses DPOR's reductions, not ${strategyText(spec, b.seed)}'s; accepted: --strategy dpor (or a scenario without a preemption bound)`);
  if (split) throw new RangeError(`--reduction is not taken by the split search (--workers, --tasks, --shard, --checkpoint, --resume), which runs every reduction; accepted: a plain explore with --reduction, or the split search without it`);
  return r.label === DEFAULT_REDUCTION ? null : r;
}

export function strategyText(spec: StrategySpec, seed: number | undefined): string {
  switch (spec.kind) {
    case 'bounded':
      return `bounded(${spec.maxPreemptions})`;
    case 'pct':
      return `pct(depth ${spec.depth}, seed ${seed ?? 0})`;
    case 'random':
      return `random(seed ${seed ?? 0})`;
    default:
      return spec.kind;
  }
}

/**
 * The properties a scenario is expected to violate on a variant
 * (expectations.ts): on the seed, its findings; on a repaired variant, only
 * what no repair of the pager applies to. Nothing on others.
 */
export function expectedViolations(scenario: string, variant: string): readonly string[] {
  let kind: string;
  try {
    kind = variantByName(variant).kind;
  } catch {
    return [];
  }
  const table = expectationsOf(kind);
  if (table === null) return [];
  // Own keys only: a scenario file may be named "constructor" or "__proto__".
  return Object.hasOwn(table, scenario) ? (table[scenario] ?? []) : [];
}

/** Witness collection as a monitor: told each execution's end. */
class WitnessMonitor implements Monitor<Observed> {
  readonly name = 'witnesses';
  readonly reached = new Set<string>();
  end(o: Observed): Violation | null {
    for (const w of WITNESSES) if (!this.reached.has(w.name) && w.check.at === 'witness' && w.check.reached(o)) this.reached.add(w.name);
    return null;
  }
}

interface Prepared {
  readonly variant: string;
  readonly checks: Checks;
  readonly strategy: StrategySpec;
  readonly label: string;
  readonly program: Program<Observed>;
  readonly witness: WitnessMonitor | null;
  readonly options: ExploreOptions<Observed>;
  /** Executions of the random phase asked for (0: none). */
  readonly phase: number;
}

function prepare(req: RunRequest, env: RunEnv): Prepared {
  const s = req.scenario;
  const b = req.bounds ?? {};
  const variant = req.variant ?? 'seed';
  const checks = req.checks ?? NO_CHECKS;
  // The split search is exhaustive DPOR: a scenario's own preemption bound gives way to it (user options are refused, checkSplit).
  const strategy: StrategySpec = req.split !== undefined || req.prefix !== undefined ? { kind: 'dpor' } : strategyOf(s, b);
  const witness = req.witnesses === true ? new WitnessMonitor() : null;
  const program = (env.programs ?? propertiesSource)(s, variant, checks, witness ? [witness] : [], 'explore');
  const maxExecutions = b.maxExecutions ?? s.bounds.maxExecutions;
  const maxSteps = b.maxSteps ?? s.bounds.maxSteps;
  const seed = b.seed ?? 0;
  const phase = req.prefix !== undefined ? 0 : randomPhaseOf(s, b, req.split !== undefined);
  const reduction = reductionOf(strategy, b, req.split !== undefined);
  const searched = reduction !== null ? new DporStrategy(reduction.dpor) : makeStrategy(strategy, seed);
  // The split search runs the phase itself before its tasks (runSplit).
  const inner =
    req.prefix !== undefined
      ? new DporStrategy({ prefix: req.prefix, ...(reduction?.dpor ?? {}) })
      : phase > 0 && req.split === undefined
        ? new PhasedStrategy(searched, phase, seed)
        : searched;
  const options: ExploreOptions<Observed> = {
    strategy: env.wrapStrategy ? env.wrapStrategy(inner) : inner,
    seed,
    scenario: s.name,
    variant,
    stopOnViolation: req.first ?? false,
    races: checks.races,
    ...(maxExecutions !== undefined ? { maxExecutions: maxExecutions + (req.split === undefined ? phase : 0) } : {}),
    ...(maxSteps !== undefined ? { maxSteps } : {}),
    ...(b.timeBudgetMs !== undefined ? { timeBudgetMs: b.timeBudgetMs } : {}),
    ...(env.signal ? { signal: env.signal } : {}),
    ...(env.onProgress ? { onProgress: env.onProgress, progressIntervalMs: 1000 } : {}),
    ...env.explore,
  };
  const label = strategyText(strategy, strategy.kind === 'pct' || strategy.kind === 'random' ? seed : undefined) + (reduction !== null ? `(${reduction.label})` : '');
  return { variant, checks, strategy, label, program, witness, options, phase };
}

/** Minimizes what was found (best effort, within the request's budget) and applies the expectations. */
function settle(req: RunRequest, env: RunEnv, p: Prepared, outcome: Outcome, tasks?: number): RunResult {
  const s = req.scenario;
  const found = outcome.status === 'ok' ? [] : outcome.violations;
  const violations: Counterexample[] = [];
  let error = outcome.status === 'error' ? `${outcome.error.code}: ${outcome.error.message}` : undefined;
  const minimizeMs = req.minimizeMs ?? 0;
  const source = env.programs ?? propertiesSource;
  for (const c of found) {
    let cex = c;
    if (minimizeMs > 0) {
      try {
        cex = minimize(p.program, c, {
          timeBudgetMs: minimizeMs,
          maxExecutions: 20_000,
          withoutThreads: (names) => {
            const reduced = withoutThreads(s, names);
            return reduced === null ? null : source(reduced, p.variant, p.checks, [], 'minimize');
          },
        }).counterexample;
      } catch (e) {
        error ??= `minimizing a counterexample of ${s.name}@${p.variant}: ${(e as Error).message}`;
      }
    }
    violations.push(cex);
  }
  const st = outcome.stats;
  const violated = [...new Set(violations.map((c) => propertyOfViolation(c.violation)))];
  const expected = expectedViolations(s.name, p.variant);
  return {
    scenario: s.name,
    variant: p.variant,
    strategy: p.label,
    executions: st.executions,
    steps: st.steps,
    cut: st.cut,
    complete: st.complete,
    stopReason: st.stopReason,
    ms: Math.round(st.elapsedMs),
    status: outcome.status,
    violations,
    violated,
    unexpected: violated.filter((v) => !expected.includes(v)),
    witnesses: p.witness ? [...p.witness.reached].sort() : [],
    ...(tasks !== undefined ? { tasks } : {}),
    randomPhase: st.counters.randomPhase ?? 0,
    ...(error !== undefined ? { error } : {}),
  };
}

/** Runs the request synchronously (the split search is async only: runScenarioAsync). */
export function runScenario(req: RunRequest, env: RunEnv = {}): RunResult {
  if (req.split !== undefined) throw new Error('the split search runs asynchronously: use runScenarioAsync');
  const p = prepare(req, env);
  env.onBegin?.(`${req.scenario.name}@${p.variant}`);
  let outcome: Outcome;
  try {
    outcome = explore(p.program, p.options);
  } finally {
    env.onEnd?.();
  }
  return settle(req, env, p, outcome);
}

/** runScenario giving the event loop a turn every few tens of ms (Ctrl-C, timers, progress), or the split search. */
export async function runScenarioAsync(req: RunRequest, env: RunEnv = {}): Promise<RunResult> {
  if (req.split !== undefined) checkSplit(req, env);
  const p = prepare(req, env);
  env.onBegin?.(`${req.scenario.name}@${p.variant}`);
  let outcome: Outcome;
  let tasks: number | undefined;
  try {
    if (req.split === undefined) outcome = await exploreAsync(p.program, p.options);
    else {
      const pre = p.phase > 0 ? await exploreAsync(p.program, { ...p.options, strategy: new PhasedStrategy(null, p.phase, p.options.seed ?? 0) }) : null;
      if (pre !== null && (pre.status === 'error' || (pre.status === 'violation' && req.first === true) || pre.stats.stopReason === 'aborted' || pre.stats.stopReason === 'time-budget')) {
        outcome = pre;
        tasks = 0;
      } else {
        const o = await runSplit(req, req.split, env);
        outcome = pre === null ? o : afterPhase(pre, o);
        tasks = o.tasks;
      }
    }
  } finally {
    env.onEnd?.();
  }
  return settle(req, env, p, outcome, tasks);
}

/**
 * What the split search cannot honour is refused, in one line: it is
 * exhaustive DPOR below a split (a scenario's own preemption bound gives way
 * to it), with no execution budget and no seed.
 */
export function checkSplit(req: RunRequest, env: RunEnv = {}): void {
  const b = req.bounds ?? {};
  const what = '--workers, --tasks, --shard, --checkpoint and --resume run the split DPOR search';
  if ((b.strategy !== undefined && b.strategy !== 'dpor') || b.preemptions !== undefined || b.depth !== undefined)
    throw new RangeError(`${what}, not ${strategyText(strategyOf(req.scenario, b), b.seed)}; accepted: --strategy dpor or none`);
  if (b.maxExecutions !== undefined) throw new RangeError(`${what}, which has no --max-executions (each task runs to its end); accepted: --time-budget to bound the run`);
  if (b.seed !== undefined) throw new RangeError(`${what}, which uses no --seed (only pct and random do); accepted: no --seed`);
  if (env.wrapStrategy !== undefined) throw new RangeError(`${what}, whose strategies run in other threads: C coverage is not accepted with it`);
  reductionOf({ kind: 'dpor' }, b, true);
}

/* The split search's outcome with its random phase before it: counts added, the phase's counterexamples first. */
function afterPhase(pre: Outcome, o: Outcome): Outcome {
  const seen = new Set<string>();
  const violations: Counterexample[] = [];
  for (const c of [...(pre.status === 'ok' ? [] : pre.violations), ...(o.status === 'ok' ? [] : o.violations)]) {
    const k = violationKey(c.violation);
    if (seen.has(k)) continue;
    seen.add(k);
    violations.push(c);
  }
  const a = pre.stats;
  const b = o.stats;
  const stats = { ...b, executions: a.executions + b.executions, steps: a.steps + b.steps, elapsedMs: a.elapsedMs + b.elapsedMs, violating: a.violating + b.violating, counters: { ...b.counters, randomPhase: a.counters.randomPhase ?? 0 } };
  if (o.status === 'error') return { ...o, violations, stats };
  return violations.length > 0 ? { status: 'violation', violations, stats } : { status: 'ok', stats };
}

async function runSplit(req: RunRequest, split: Split, env: RunEnv): Promise<Outcome & { readonly tasks: number }> {
  const b = req.bounds ?? {};
  const checks = req.checks ?? NO_CHECKS;
  const maxSteps = b.maxSteps ?? req.scenario.bounds.maxSteps;
  // The time budget stops the search as Ctrl-C does, and is reported as a budget.
  const ctl = new AbortController();
  const stop = () => ctl.abort();
  env.signal?.addEventListener('abort', stop);
  if (env.signal?.aborted) ctl.abort();
  let budgetHit = false;
  const timer =
    b.timeBudgetMs !== undefined
      ? setTimeout(() => {
          budgetHit = true;
          ctl.abort();
        }, b.timeBudgetMs)
      : null;
  const opts = {
    ...(maxSteps !== undefined ? { maxSteps } : {}),
    races: checks.races,
    stopOnViolation: req.first ?? false,
    ...(split.minTasks !== undefined ? { minTasks: split.minTasks } : {}),
    ...(split.workers !== undefined ? { workers: split.workers } : {}),
    signal: ctl.signal,
    ...(split.onWarning ? { onWarning: split.onWarning } : {}),
    ...(split.onPlanned ? { onPlanned: split.onPlanned } : {}),
    ...(split.onResult ? { onResult: split.onResult } : {}),
  };
  try {
    const cp = split.checkpoint;
    const out = cp
      ? await exploreCheckpointed(split.ref, { ...opts, file: cp.file, handleSignals: false, ...(cp.intervalMs !== undefined ? { intervalMs: cp.intervalMs } : {}), ...(cp.resume !== undefined ? { resume: cp.resume } : {}) })
      : await exploreParallel(split.ref, opts);
    if (budgetHit && out.stats.stopReason === 'aborted') return { ...out, stats: { ...out.stats, stopReason: 'time-budget' } };
    return out;
  } finally {
    if (timer !== null) clearTimeout(timer);
    env.signal?.removeEventListener('abort', stop);
  }
}

/** Settles an outcome found elsewhere (the merge of shard reports) as a run of `req` would. */
export function settleOutcome(req: RunRequest, outcome: Outcome & { readonly tasks?: number }, env: RunEnv = {}): RunResult {
  const s = req.scenario;
  const variant = req.variant ?? 'seed';
  const checks = req.checks ?? NO_CHECKS;
  const strategy = strategyOf(s, req.bounds ?? {});
  const program = (env.programs ?? propertiesSource)(s, variant, checks, [], 'explore');
  const p: Prepared = { variant, checks, strategy, label: 'dpor', program, witness: null, options: {}, phase: 0 };
  return settle(req, env, p, outcome, outcome.tasks);
}
