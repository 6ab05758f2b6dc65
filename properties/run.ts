/*
 * Runs catalog scenarios under the checker: one exploration per scenario and
 * variant, with the figures a report needs. Used by tests, the findings work
 * and the report scripts.
 */
import { explore, type ExploreOptions, type Outcome, type StrategySpec } from '../checker/explore.ts';
import type { Counterexample } from '../checker/counterexample.ts';
import { buildProgram } from './program.ts';
import type { Scenario } from './scenario.ts';
import type { Observed } from './observed.ts';
import { WITNESSES, propertyOfViolation } from './properties.ts';

export interface RunReport {
  readonly scenario: string;
  readonly variant: string;
  readonly strategy: string;
  readonly executions: number;
  readonly cut: number;
  readonly complete: boolean;
  readonly stopReason: string;
  readonly ms: number;
  readonly status: Outcome['status'];
  readonly violations: readonly Counterexample[];
  /** Properties violated, by name. */
  readonly violated: readonly string[];
  /** Witness properties reached in some execution. */
  readonly witnesses: readonly string[];
  readonly error?: string;
}

export interface RunScenarioOptions {
  readonly variant?: string;
  readonly strategy?: StrategySpec;
  readonly maxExecutions?: number;
  readonly timeBudgetMs?: number;
  readonly stopOnViolation?: boolean;
  readonly races?: boolean;
  readonly explore?: Partial<ExploreOptions<Observed>>;
}

/** The strategy a scenario's bounds call for: DPOR, or preemption-bounded search when a bound is stated. */
export function strategyFor(s: Scenario): StrategySpec {
  return s.bounds.preemptions !== undefined ? { kind: 'bounded', maxPreemptions: s.bounds.preemptions } : { kind: 'dpor' };
}

export function runScenario(s: Scenario, opts: RunScenarioOptions = {}): RunReport {
  const variant = opts.variant ?? 'seed';
  const reached = new Set<string>();
  const prog = buildProgram(s, {
    variant,
    onEnd(o) {
      for (const w of WITNESSES) if (!reached.has(w.name) && w.check.at === 'witness' && w.check.reached(o)) reached.add(w.name);
    },
  });
  const strategy = opts.strategy ?? strategyFor(s);
  const maxExecutions = opts.maxExecutions ?? s.bounds.maxExecutions;
  const out = explore(prog, {
    strategy,
    scenario: s.name,
    variant,
    stopOnViolation: opts.stopOnViolation ?? false,
    races: opts.races ?? false,
    ...(maxExecutions !== undefined ? { maxExecutions } : {}),
    ...(s.bounds.maxSteps !== undefined ? { maxSteps: s.bounds.maxSteps } : {}),
    ...(opts.timeBudgetMs !== undefined ? { timeBudgetMs: opts.timeBudgetMs } : {}),
    ...opts.explore,
  });
  const violations = out.status === 'ok' ? [] : out.violations;
  return {
    scenario: s.name,
    variant,
    strategy: strategy.kind + ('maxPreemptions' in strategy ? `(preemptions ${strategy.maxPreemptions})` : ''),
    executions: out.stats.executions,
    cut: out.stats.cut,
    complete: out.stats.complete,
    stopReason: out.stats.stopReason,
    ms: Math.round(out.stats.elapsedMs),
    status: out.status,
    violations,
    violated: [...new Set(violations.map((c) => propertyOfViolation(c.violation)))],
    witnesses: [...reached].sort(),
    ...(out.status === 'error' ? { error: `${out.error.code}: ${out.error.message}` } : {}),
  };
}
