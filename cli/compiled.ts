/*
 * Variant c (the compiled seed) in the commands that run scenarios: a
 * scenario whose operations reach a function that does not run on c yet
 * (cwasm/reach.ts) is refused before the search when named, and skipped,
 * with one line listing it, when it comes with the whole catalog.
 */
import { cRefusal, notRunningOnC } from '../cwasm/reach.ts';
import { variantByName } from '../impl/variants.ts';
import type { Scenario } from '../properties/scenario.ts';
import { BadInput } from './args.ts';

function compiled(variant: string): boolean {
  return variantByName(variant).kind === 'compiled';
}

/** Whether `scenario` runs on `variant` (every scenario runs on the port variants). */
export function runsOn(scenario: Scenario, variant: string): boolean {
  return !compiled(variant) || notRunningOnC(scenario) === null;
}

/** Refuses (exit 2), in one line, the first scenario that does not run on a compiled variant asked for. */
export function refuseOffC(scenarios: readonly Scenario[], variants: readonly string[]): void {
  if (!variants.some(compiled)) return;
  for (const s of scenarios) {
    const why = cRefusal(s);
    if (why !== null) throw new BadInput(`${why}; accepted: a scenario that runs on c (pagercheck diff lists them), or another --variant`);
  }
}

/** One line naming the scenarios a compiled variant skips, or null when none is skipped. */
export function skippedOffC(scenarios: readonly Scenario[], variants: readonly string[]): string | null {
  if (!variants.some(compiled)) return null;
  const off = scenarios.map((s) => ({ s, r: notRunningOnC(s) })).filter((x) => x.r !== null);
  if (off.length === 0) return null;
  return `variant c skips ${off.length} of ${scenarios.length} scenarios that reach a function not running on the compiled seed yet: ${off.map((x) => `${x.s.name} (${x.r!.fn})`).join(', ')}`;
}
