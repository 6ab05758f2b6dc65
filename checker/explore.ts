/*
 * explore(): runs a program under a strategy, execution after execution,
 * with the per-step checks on, until the strategy has nothing left, a
 * violation is found (or all distinct ones, on request), a budget runs out,
 * or the caller aborts. Returns an Outcome: ok | violation | error.
 *
 * An `error` is never the program's fault as a kernel: it is a bug of the
 * harness or the model (code: 'harness'), a model that is not deterministic
 * (code: 'nondeterminism'), or bad options (code: 'bad-input'). Violations
 * found before an error are kept.
 *
 * explore() runs synchronously; exploreAsync() gives the event loop a turn
 * every few tens of milliseconds so that an AbortSignal wired to SIGINT can
 * stop it, keeping every counterexample found so far.
 */
import { HarnessBug } from './op.ts';
import { runExecution, type ExecutionResult, type Program, type RunOptions, type Violation } from './runtime.ts';
import { ExecutionCut, Nondeterminism, ReplayDivergence, type Strategy, type StrategyInfo } from './strategy.ts';
import { DporStrategy } from './strategies/dpor.ts';
import { DfsStrategy } from './strategies/dfs.ts';
import { BoundedStrategy } from './strategies/bounded.ts';
import { PctStrategy } from './strategies/pct.ts';
import { RandomStrategy } from './strategies/random.ts';
import { withRaces } from './races.ts';
import { runSchedule, scheduleOf, violationKey, type Counterexample, type ScheduleStep } from './counterexample.ts';

export type StrategySpec =
  | { readonly kind: 'dpor' }
  | { readonly kind: 'dfs' }
  | { readonly kind: 'bounded'; readonly maxPreemptions: number; readonly startBound?: number }
  | { readonly kind: 'pct'; readonly depth: number; readonly stepsHint?: number }
  | { readonly kind: 'random' };

export const STRATEGY_KINDS = ['dpor', 'dfs', 'bounded', 'pct', 'random'] as const;

export interface Progress {
  readonly executions: number;
  readonly steps: number;
  readonly elapsedMs: number;
  readonly executionsPerSec: number;
  readonly stepsPerSec: number;
  readonly violations: number;
  /**
   * Exhaustive strategies that can tell: executions still to begin, at least
   * (Strategy.remainingAtLeast). The share explored is not known: DPOR's
   * backtrack sets grow as races are found, so a tree-size guess can say 13%
   * of a search that has most of it ahead (issue 15).
   */
  readonly remainingAtLeast?: number;
  /** From remainingAtLeast: the share of executions begun is at most this (begun / (begun + remainingAtLeast)). */
  readonly fractionAtMost?: number;
}

export interface ExploreOptions<W> {
  /** Default: DPOR. A Strategy object may be passed instead of a spec. */
  readonly strategy?: StrategySpec | Strategy;
  /** Seed of the random strategies (pct, random); default 0. */
  readonly seed?: number;
  /** Most executions to start (complete, cut and repeated alike). Default: unlimited for exhaustive strategies, 10,000 otherwise. */
  readonly maxExecutions?: number;
  /** Stop after this much wall time (checked between executions). */
  readonly timeBudgetMs?: number;
  /** Longest execution (steps) before a step-bound violation (possible livelock). Default 10,000. */
  readonly maxSteps?: number;
  /** Stop at the first violation (default) or collect every distinct one (by violationKey). */
  readonly stopOnViolation?: boolean;
  /** Only violations this accepts count (others are ignored and the search goes on). */
  readonly target?: (v: Violation) => boolean;
  /** Data-race detector (checker/races.ts); default on. */
  readonly races?: boolean;
  /** Extra per-step check (e.g. spec conformance). */
  readonly stepCheck?: RunOptions['stepCheck'];
  readonly onProgress?: (p: Progress) => void;
  /** Milliseconds between onProgress calls; default 1000. */
  readonly progressIntervalMs?: number;
  /** Aborting keeps what was found (stopReason 'aborted'). */
  readonly signal?: AbortSignal;
  /** Told every execution that ran to its end (not those cut by the strategy). */
  readonly onExecution?: (r: ExecutionResult<W>) => void;
  /** Recorded in counterexamples. */
  readonly scenario?: string;
  readonly variant?: string;
}

export interface Stats {
  /** Executions run to their end (ok or violation), each counted once. */
  readonly executions: number;
  /** Every step run, replayed prefixes and cut executions included. */
  readonly steps: number;
  /** Executions the strategy abandoned as redundant (DPOR: sleep-set blocked). */
  readonly cut: number;
  /** Executions re-run by an iterative bound (not counted in executions). */
  readonly repeated: number;
  /** Executions that ended in a violation (duplicates included). */
  readonly violating: number;
  readonly elapsedMs: number;
  readonly executionsPerSec: number;
  readonly stepsPerSec: number;
  /** An exhaustive strategy explored everything within its bounds. */
  readonly complete: boolean;
  readonly stopReason: 'exhausted' | 'violation' | 'max-executions' | 'time-budget' | 'aborted' | 'error';
  readonly strategy: StrategyInfo;
  /** Strategy counters (dpor: sleepSetBlocked, racesReversed, notCoEnabled, fallbacks, maxDepth; bounded: bound, repeats). */
  readonly counters: Readonly<Record<string, number>>;
}

export interface ExploreError {
  readonly code: 'harness' | 'nondeterminism' | 'bad-input';
  readonly message: string;
  /** The schedule of the failing execution, when there is one. */
  readonly schedule?: readonly ScheduleStep[];
}

export type Outcome =
  | { readonly status: 'ok'; readonly stats: Stats }
  | { readonly status: 'violation'; readonly violations: readonly Counterexample[]; readonly stats: Stats }
  | { readonly status: 'error'; readonly error: ExploreError; readonly violations: readonly Counterexample[]; readonly stats: Stats };

/** Builds a strategy from its spec; throws a one-line RangeError on a bad one. */
export function makeStrategy(spec: StrategySpec, seed = 0): Strategy {
  switch (spec.kind) {
    case 'dpor':
      return new DporStrategy();
    case 'dfs':
      return new DfsStrategy();
    case 'bounded':
      return new BoundedStrategy(spec);
    case 'pct':
      return new PctStrategy({ depth: spec.depth, seed, ...(spec.stepsHint !== undefined ? { stepsHint: spec.stepsHint } : {}) });
    case 'random':
      return new RandomStrategy(seed);
    default: {
      const k = (spec as { kind?: unknown }).kind;
      throw new RangeError(`strategy "${String(k)}" is not accepted: use one of ${STRATEGY_KINDS.join(', ')}`);
    }
  }
}

function isStrategy(s: StrategySpec | Strategy): s is Strategy {
  return typeof (s as Strategy).beginExecution === 'function';
}

/** One exploration, runnable in slices (explore runs it at once, exploreAsync in slices). */
export class Explorer<W> {
  private readonly strategy: Strategy;
  private readonly prog: Program<W>;
  private readonly runOpts: RunOptions;
  private readonly maxExecutions: number;
  private readonly maxSteps: number;
  private readonly races: boolean;
  private readonly t0: number;
  private executions = 0;
  private started = 0;
  private steps = 0;
  private cut = 0;
  private repeated = 0;
  private violating = 0;
  private lastProgress: number;
  private readonly found = new Map<string, Counterexample>();
  private error: ExploreError | null = null;
  private stopReason: Stats['stopReason'] | null = null;

  constructor(
    private readonly program: Program<W>,
    private readonly opts: ExploreOptions<W> = {},
  ) {
    this.t0 = performance.now();
    this.lastProgress = this.t0;
    const spec = opts.strategy ?? { kind: 'dpor' };
    let strategy: Strategy | null = null;
    try {
      checkNumber('maxExecutions', opts.maxExecutions, 1);
      checkNumber('maxSteps', opts.maxSteps, 1);
      checkNumber('timeBudgetMs', opts.timeBudgetMs, 0);
      strategy = isStrategy(spec) ? spec : makeStrategy(spec, opts.seed ?? 0);
    } catch (e) {
      this.error = { code: 'bad-input', message: (e as Error).message };
      this.stopReason = 'error';
    }
    this.strategy = strategy ?? new DfsStrategy();
    this.maxExecutions = opts.maxExecutions ?? (this.strategy.exhaustive ? Infinity : 10_000);
    this.maxSteps = opts.maxSteps ?? 10_000;
    this.races = opts.races ?? true;
    this.prog = withRaces(program, this.races);
    this.runOpts = { maxSteps: this.maxSteps, stepCheck: opts.stepCheck };
  }

  get finished(): boolean {
    return this.stopReason !== null;
  }

  /** Runs executions until the exploration ends or performance.now() passes `until`; true when it has ended. */
  runFor(until: number): boolean {
    const opts = this.opts;
    const budgetEnd = opts.timeBudgetMs !== undefined ? this.t0 + opts.timeBudgetMs : Infinity;
    while (this.stopReason === null) {
      if (opts.signal?.aborted) {
        this.stopReason = 'aborted';
        break;
      }
      if (this.started >= this.maxExecutions) {
        this.stopReason = 'max-executions';
        break;
      }
      const now = performance.now();
      if (now >= budgetEnd) {
        this.stopReason = 'time-budget';
        break;
      }
      if (opts.onProgress && now - this.lastProgress >= (opts.progressIntervalMs ?? 1000)) {
        this.lastProgress = now;
        opts.onProgress(this.progress(now));
      }
      if (now >= until) return false;
      this.runOne();
    }
    return true;
  }

  private runOne(): void {
    const strategy = this.strategy;
    let result: ExecutionResult<W>;
    try {
      if (!strategy.beginExecution()) {
        this.stopReason = 'exhausted';
        return;
      }
      this.started++;
      result = runExecution(this.prog, strategy, this.runOpts);
      strategy.endExecution(result);
    } catch (e) {
      if (e instanceof ExecutionCut) {
        this.cut++;
        this.steps += e.steps;
        try {
          strategy.endExecution(null);
        } catch (e2) {
          this.fail(e2);
        }
        return;
      }
      this.fail(e);
      return;
    }
    this.steps += result.steps.length;
    if (strategy.lastRepeated === true) this.repeated++;
    else this.executions++;
    this.opts.onExecution?.(result);
    const st = result.result;
    if (st.status === 'ok') return;
    if (st.status === 'error') {
      this.error = { code: 'harness', message: st.error, schedule: scheduleOf(result) };
      this.stopReason = 'error';
      return;
    }
    const v = st.violation;
    if (this.opts.target && !this.opts.target(v)) return;
    this.violating++;
    const key = violationKey(v);
    if (!this.found.has(key)) {
      try {
        this.found.set(key, this.counterexample(result, v));
      } catch (e) {
        this.fail(e);
        return;
      }
    }
    if (this.opts.stopOnViolation ?? true) this.stopReason = 'violation';
  }

  private fail(e: unknown): void {
    if (e instanceof Nondeterminism) this.error = { code: 'nondeterminism', message: e.message };
    else if (e instanceof ReplayDivergence) this.error = { code: 'harness', message: e.message };
    else if (e instanceof HarnessBug) this.error = { code: 'harness', message: e.message };
    else this.error = { code: 'harness', message: `pagercheck internal error (a bug of the harness, please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` };
    this.stopReason = 'error';
  }

  private counterexample(result: ExecutionResult<W>, v: Violation): Counterexample {
    const schedule = scheduleOf(result);
    const setupChoices = result.setupChoices ?? [];
    // Replaying measures preemptions (which needs who was ready) and checks the schedule reproduces.
    const r = runSchedule(this.program, schedule, setupChoices, { maxSteps: this.maxSteps, races: this.races, stepCheck: this.opts.stepCheck });
    if (r.status === 'diverged') throw new Nondeterminism(r.step, `replaying a violating execution: ${r.message}`);
    const rv = r.result.result;
    if (rv.status !== 'violation' || violationKey(rv.violation) !== violationKey(v))
      throw new Nondeterminism(result.steps.length, `the violating execution, replayed, ended with ${rv.status === 'violation' ? `"${violationKey(rv.violation)}"` : rv.status} instead of "${violationKey(v)}"`);
    const info = this.strategy.info();
    return {
      format: 'pagercheck-counterexample',
      version: 1,
      program: this.program.name,
      ...(this.opts.scenario !== undefined ? { scenario: this.opts.scenario } : {}),
      ...(this.opts.variant !== undefined ? { variant: this.opts.variant } : {}),
      strategy: info.strategy,
      bounds: { maxSteps: this.maxSteps, ...info.bounds },
      ...(info.seed !== undefined ? { seed: info.seed } : {}),
      races: this.races,
      ...(setupChoices.length > 0 ? { setupChoices: setupChoices.slice() } : {}),
      schedule,
      preemptions: r.preemptions,
      violation: v,
    };
  }

  progress(now = performance.now()): Progress {
    const elapsedMs = now - this.t0;
    const secs = Math.max(elapsedMs, 1e-3) / 1000;
    const base = {
      executions: this.executions,
      steps: this.steps,
      elapsedMs,
      executionsPerSec: this.executions / secs,
      stepsPerSec: this.steps / secs,
      violations: this.found.size,
    };
    if (!this.strategy.exhaustive || this.strategy.remainingAtLeast === undefined) return base;
    const left = this.strategy.remainingAtLeast();
    return { ...base, remainingAtLeast: left, fractionAtMost: this.started + left > 0 ? this.started / (this.started + left) : 1 };
  }

  outcome(): Outcome {
    // A collect-all run that ended when its budget did still reports what it found.
    const elapsedMs = performance.now() - this.t0;
    const secs = Math.max(elapsedMs, 1e-3) / 1000;
    const stats: Stats = {
      executions: this.executions,
      steps: this.steps,
      cut: this.cut,
      repeated: this.repeated,
      violating: this.violating,
      elapsedMs,
      executionsPerSec: this.executions / secs,
      stepsPerSec: this.steps / secs,
      complete: this.strategy.exhaustive && this.strategy.complete && this.stopReason === 'exhausted',
      stopReason: this.stopReason ?? 'aborted',
      strategy: this.strategy.info(),
      counters: this.strategy.counters(),
    };
    const violations = [...this.found.values()];
    if (this.error !== null) return { status: 'error', error: this.error, violations, stats };
    if (violations.length > 0) return { status: 'violation', violations, stats };
    return { status: 'ok', stats };
  }
}

function checkNumber(name: string, v: number | undefined, min: number): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || Number.isNaN(v) || v < min) throw new RangeError(`${name} ${String(v)} is not accepted: give a number >= ${min}`);
}

/** Explores `program` synchronously. */
export function explore<W>(program: Program<W>, opts: ExploreOptions<W> = {}): Outcome {
  const e = new Explorer(program, opts);
  e.runFor(Infinity);
  return e.outcome();
}

/** Explores `program`, yielding to the event loop every `sliceMs` (default 50) so signals and timers run. */
export async function exploreAsync<W>(program: Program<W>, opts: ExploreOptions<W> & { readonly sliceMs?: number } = {}): Promise<Outcome> {
  const e = new Explorer(program, opts);
  const slice = opts.sliceMs ?? 50;
  while (!e.runFor(performance.now() + slice)) await new Promise<void>((r) => setImmediate(r));
  return e.outcome();
}
