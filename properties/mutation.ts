/*
 * Generated mutation score (issue 13 item 6): Stryker mutates
 * impl/vnode_pager.ts and runs the kill suite (mutation.kill.ts) per mutant.
 * This module is what the kill suite and the report share: the runs (every
 * catalog scenario and probe, on the seed and on the repaired variant, with
 * an execution cap so a mutant costs seconds), and what counts as a kill: a
 * property violated that the unmutated port does not violate in the same run
 * (same scenario, variant and bounds), or a harness error (reported apart).
 *
 * The baseline is measured on the unmutated port, not taken from
 * expectations.ts: a capped run may see fewer of the expected violations, and
 * another engineer's catalog work may add some; only the difference the
 * mutant makes is a kill. Both variants run because the repairs' branches are
 * only taken on the repaired one.
 */
import { readFileSync } from 'node:fs';
import { CATALOG, PROBES } from './catalog.ts';
import { EXPECTED_VIOLATIONS } from './expectations.ts';
import { runScenario, type RunResult } from './run.ts';
import type { Scenario } from './scenario.ts';
import { propertyOfViolation } from './properties.ts';

/** The mutated file, as Stryker's mutate patterns name it (relative to the repository). */
export const PORT = 'impl/vnode_pager.ts';

/** Executions per run: a kill run costs at most seconds; alloc-race's hand-written mutant still dies within it (mutation.test.ts). */
export const KILL_MAX_EXECUTIONS = 120;

export const KILL_VARIANTS = ['seed', 'repaired'] as const;

export interface KillRun {
  readonly variant: (typeof KILL_VARIANTS)[number];
  readonly scenario: Scenario;
}

/** The test name Stryker sees: `<variant> <scenario>` (one test each, so perTest coverage skips runs that never reach a mutant). */
export function killRunName(r: KillRun): string {
  return `${r.variant} ${r.scenario.name}`;
}

export function killRuns(): readonly KillRun[] {
  const out: KillRun[] = [];
  for (const variant of KILL_VARIANTS) for (const scenario of [...CATALOG, ...PROBES]) out.push({ variant, scenario });
  return out;
}

export function runKill(r: KillRun): RunResult {
  return runScenario({ scenario: r.scenario, variant: r.variant, bounds: { maxExecutions: KILL_MAX_EXECUTIONS } });
}

/** Per run name, the properties the unmutated port violates in that run. */
export type Baseline = Readonly<Record<string, readonly string[]>>;

/** The environment variable naming the baseline file (set by mutation-report.ts for Stryker's workers). */
export const BASELINE_ENV = 'PAGERCHECK_MUTATION_BASELINE';

export function measureBaseline(onRun?: (name: string, r: RunResult) => void): Baseline {
  const b: Record<string, readonly string[]> = {};
  for (const run of killRuns()) {
    const r = runKill(run);
    if (r.error !== undefined) throw new Error(`the unmutated port has a harness error in ${killRunName(run)}: ${r.error.split('\n')[0]}`);
    b[killRunName(run)] = [...r.violated].sort();
    onRun?.(killRunName(run), r);
  }
  return b;
}

/** The baseline file named by BASELINE_ENV; without it, expectations.ts (a run outside the report script). */
export function loadBaseline(): Baseline {
  const file = process.env[BASELINE_ENV];
  if (file !== undefined && file !== '') return JSON.parse(readFileSync(file, 'utf8')) as Baseline;
  const b: Record<string, readonly string[]> = {};
  for (const run of killRuns()) b[killRunName(run)] = EXPECTED_VIOLATIONS[run.variant][run.scenario.name] ?? [];
  return b;
}

/** Why a run kills the mutant (the first line of the failure Stryker records), or null when it does not. */
export function killReason(r: RunResult, base: readonly string[]): string | null {
  if (r.error !== undefined) return `harness error: ${r.error.split('\n')[0]}`;
  const fresh = r.violated.filter((p) => !base.includes(p));
  if (fresh.length === 0) return null;
  const v = r.violations.find((c) => propertyOfViolation(c.violation) === fresh[0]);
  return `violation: ${fresh.join(', ')}${v ? ` (${v.violation.message.split('\n')[0]})` : ''}`;
}
