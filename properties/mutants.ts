/*
 * Mutation score: each mutant (impl/variants.ts MUTANTS: the repaired variant
 * plus one plausible mistake) is run over the catalog and the probes, in
 * order, until a scenario shows a violation the repaired variant does not
 * (EXPECTED_VIOLATIONS.repaired): that scenario kills it.
 */
import { MUTANTS } from '../impl/variants.ts';
import { CATALOG, PROBES } from './catalog.ts';
import { EXPECTED_VIOLATIONS } from './expectations.ts';
import { runScenario, type RunResult } from './run.ts';
import type { Scenario } from './scenario.ts';
import { propertyOfViolation } from './properties.ts';

export interface Kill {
  readonly mutant: string;
  readonly killed: boolean;
  readonly scenario?: string;
  readonly strategy?: string;
  readonly property?: string;
  readonly message?: string;
  /** A harness error met while hunting (a bug of the model). */
  readonly error?: string;
  /** Executions and time of the killing exploration, and of all explorations for this mutant. */
  readonly executions: number;
  readonly ms: number;
  readonly totalExecutions: number;
  readonly totalMs: number;
}

/** The violations of a report that the repaired variant does not have. */
export function newViolations(r: RunResult): string[] {
  const base = new Set(EXPECTED_VIOLATIONS.repaired[r.scenario] ?? []);
  return r.violated.filter((p) => !base.has(p));
}

export function hunt(mutant: string, scenarios: readonly Scenario[] = [...CATALOG, ...PROBES]): Kill {
  let totalExecutions = 0;
  let totalMs = 0;
  for (const s of scenarios) {
    const r = runScenario({ scenario: s, variant: mutant });
    totalExecutions += r.executions;
    totalMs += r.ms;
    /* A harness error is a bug of the model, not a kill: reported as such. */
    if (r.error !== undefined) return { mutant, killed: false, scenario: s.name, error: r.error.split('\n')[0]!, executions: r.executions, ms: r.ms, totalExecutions, totalMs };
    const fresh = newViolations(r);
    if (fresh.length > 0) {
      const v = r.violations.find((c) => fresh.includes(propertyOfViolation(c.violation)));
      return {
        mutant,
        killed: true,
        scenario: s.name,
        strategy: r.strategy,
        property: fresh[0]!,
        message: v ? v.violation.message.split('\n')[0]! : '',
        executions: r.executions,
        ms: r.ms,
        totalExecutions,
        totalMs,
      };
    }
  }
  return { mutant, killed: false, executions: 0, ms: 0, totalExecutions, totalMs };
}

export function allMutants(): readonly string[] {
  return MUTANTS.map((m) => m.name);
}
