/*
 * Runs explorations for the CLI: one per (scenario, variant), each under the
 * checks and bounds asked for, with progress, Ctrl-C and the spec coverage
 * tally. Every distinct violation is minimized (best effort, within a budget)
 * and recorded as a trace.
 */
import { exploreAsync, type Outcome, type StrategySpec } from '../checker/explore.ts';
import { minimize } from '../checker/minimize.ts';
import type { Counterexample } from '../checker/counterexample.ts';
import { strategyFor } from '../properties/run.ts';
import { withoutThreads } from '../properties/findings.ts';
import { propertyOfViolation } from '../properties/properties.ts';
import { EXPECTED_VIOLATIONS } from '../properties/expectations.ts';
import { variantByName } from '../impl/variants.ts';
import type { Scenario } from '../properties/scenario.ts';
import type { CoverageTally } from '../spec/conformance.ts';
import type { MachineName } from '../spec/catalog.ts';
import { checkedProgram, type CheckedProgram, type Checks } from '../traces/checked.ts';
import type { Program, RunOptions } from '../checker/runtime.ts';
import type { Observed } from '../properties/observed.ts';
import { recordTrace, type Trace } from '../traces/trace.ts';
import type { ProgressSink } from './progress.ts';

export interface Bounds {
  readonly strategy?: StrategySpec['kind'];
  readonly preemptions?: number;
  readonly depth?: number;
  readonly maxExecutions?: number;
  readonly maxSteps?: number;
  readonly seed?: number;
  readonly timeBudgetMs?: number;
}

export interface RunRequest {
  readonly scenario: Scenario;
  readonly variant: string;
  readonly bounds: Bounds;
  readonly checks: Checks;
  /** Stop at the first violation instead of collecting every distinct one. */
  readonly first: boolean;
  /** Wall time for minimizing each counterexample; 0: keep them as found. */
  readonly minimizeMs: number;
}

export interface RunResult {
  readonly scenario: string;
  readonly variant: string;
  /** "dpor", "bounded(2)", "pct(depth 3, seed 0)". */
  readonly strategy: string;
  readonly executions: number;
  readonly complete: boolean;
  readonly stopReason: string;
  readonly ms: number;
  readonly status: Outcome['status'];
  readonly violations: readonly Counterexample[];
  /** Properties violated, by name. */
  readonly violated: readonly string[];
  /** Of those, the ones properties/expectations.ts does not expect for this scenario and variant. */
  readonly unexpected: readonly string[];
  readonly traces: readonly Trace[];
  /** A harness error (not a violation of the pager). */
  readonly error?: string;
}

/** The strategy a request runs: the scenario's default unless one is named; bounds fill in its parameters. */
export function strategyOf(s: Scenario, b: Bounds): StrategySpec {
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

export interface RunHooks {
  readonly signal?: AbortSignal;
  readonly progress?: ProgressSink;
  /** Spec transitions and states seen, merged over every run. */
  readonly tally?: CoverageTally;
}

export async function runOne(req: RunRequest, hooks: RunHooks = {}): Promise<RunResult> {
  const s = req.scenario;
  const b = req.bounds;
  const strategy = strategyOf(s, b);
  /*
   * Minimization runs programs without some threads, each with its own spec
   * monitor; the step check follows whichever program's setup ran last.
   */
  const main = checkedProgram(s, req.variant, req.checks);
  const conformance = main.conformance;
  let active = main.stepCheck;
  const bind = (cp: CheckedProgram): Program<Observed> => ({
    ...cp.program,
    setup(ctx) {
      active = cp.stepCheck;
      return cp.program.setup(ctx);
    },
  });
  const program = bind(main);
  const stepCheck: RunOptions['stepCheck'] | undefined = main.stepCheck ? (rec, i) => active!(rec, i) : undefined;
  const maxExecutions = b.maxExecutions ?? s.bounds.maxExecutions;
  const maxSteps = b.maxSteps ?? s.bounds.maxSteps;
  const label = `${s.name}@${req.variant}`;
  hooks.progress?.begin(label);
  let outcome: Outcome;
  try {
    outcome = await exploreAsync(program, {
      strategy,
      seed: b.seed ?? 0,
      scenario: s.name,
      variant: req.variant,
      stopOnViolation: req.first,
      races: req.checks.races,
      ...(stepCheck ? { stepCheck } : {}),
      ...(maxExecutions !== undefined ? { maxExecutions } : {}),
      ...(maxSteps !== undefined ? { maxSteps } : {}),
      ...(b.timeBudgetMs !== undefined ? { timeBudgetMs: b.timeBudgetMs } : {}),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(hooks.progress ? { onProgress: (p) => hooks.progress!.update(p) } : {}),
      progressIntervalMs: 1000,
    });
  } finally {
    hooks.progress?.end();
  }
  if (conformance && hooks.tally) mergeTally(hooks.tally, conformance.tally);
  const found = outcome.status === 'ok' ? [] : outcome.violations;
  const violations: Counterexample[] = [];
  const traces: Trace[] = [];
  let error = outcome.status === 'error' ? `${outcome.error.code}: ${outcome.error.message}` : undefined;
  for (const c of found) {
    let cex = c;
    if (req.minimizeMs > 0) {
      try {
        cex = minimize(program, c, {
          ...(stepCheck ? { stepCheck } : {}),
          timeBudgetMs: req.minimizeMs,
          maxExecutions: 20_000,
          withoutThreads: (names) => {
            const reduced = withoutThreads(s, names);
            return reduced === null ? null : bind(checkedProgram(reduced, req.variant, req.checks));
          },
        }).counterexample;
      } catch (e) {
        error ??= `minimizing a counterexample of ${label}: ${(e as Error).message}`;
      }
    }
    violations.push(cex);
    try {
      traces.push(recordTrace(s, cex, req.checks).trace);
    } catch (e) {
      error ??= `recording a counterexample of ${label}: ${(e as Error).message}`;
    }
  }
  const st = outcome.stats;
  const violated = [...new Set(violations.map((c) => propertyOfViolation(c.violation)))];
  return {
    scenario: s.name,
    variant: req.variant,
    strategy: strategyText(strategy, strategy.kind === 'pct' || strategy.kind === 'random' ? (b.seed ?? 0) : undefined),
    executions: st.executions,
    complete: st.complete,
    stopReason: st.stopReason,
    ms: Math.round(st.elapsedMs),
    status: outcome.status,
    violations,
    violated,
    unexpected: violated.filter((p) => !expectedViolations(s.name, req.variant).includes(p)),
    traces,
    ...(error !== undefined ? { error } : {}),
  };
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

/**
 * The properties a scenario is expected to violate on a variant
 * (properties/expectations.ts): on the seed, its findings; on a repaired
 * variant, only what no repair of the pager applies to. Nothing on others.
 */
export function expectedViolations(scenario: string, variant: string): readonly string[] {
  let kind: string;
  try {
    kind = variantByName(variant).kind;
  } catch {
    return [];
  }
  if (kind !== 'seed' && kind !== 'repaired') return [];
  return EXPECTED_VIOLATIONS[kind][scenario] ?? [];
}
