/*
 * `npm run bench -- first-bug` (issue 15 item 5): for every known bug of the
 * catalog (the seed's expected findings, properties/expectations.ts, probes
 * included) and the allocation race at 4 and 5 creators with the interlock
 * re-check removed, the executions and seconds to the first violation of a
 * default run (--first, spec on, as `explore NAME --first`), without the
 * random phase (before) and with it (after). Goal: every "after" under 1 s.
 *
 *   npm run bench -- first-bug [--budget 60] [NAME...]
 */
import { DEFAULT_RANDOM_PHASE, runScenario, type ProgramSource, type RunResult } from '../properties/run.ts';
import { catalogScenario } from '../properties/catalog.ts';
import { EXPECTED_VIOLATIONS } from '../properties/expectations.ts';
import type { Scenario } from '../properties/scenario.ts';
import { checkedProgram } from '../traces/checked.ts';
import { allocRaceScenario } from './pager.ts';

const specSource: ProgramSource = (scenario, variant, checks, monitors) => checkedProgram(scenario, variant, checks, {}, monitors).program;

interface Case {
  readonly scenario: Scenario;
  readonly variant: string;
}

function cases(): Case[] {
  const out: Case[] = Object.keys(EXPECTED_VIOLATIONS.seed).map((n) => ({ scenario: catalogScenario(n), variant: 'seed' }));
  for (const n of [4, 5]) out.push({ scenario: allocRaceScenario(n), variant: 'mut-alloc-no-interlock-recheck' });
  return out;
}

function firstViolation(c: Case, randomPhase: number, budgetS: number): { r: RunResult; s: number } {
  const t0 = performance.now();
  const r = runScenario(
    { scenario: c.scenario, variant: c.variant, first: true, checks: { spec: true, races: false }, bounds: { randomPhase, timeBudgetMs: budgetS * 1000 } },
    { programs: specSource },
  );
  return { r, s: (performance.now() - t0) / 1000 };
}

const cell = (x: { r: RunResult; s: number }) => [x.r.violations.length > 0 ? x.r.executions.toLocaleString('en-US') : `${x.r.executions.toLocaleString('en-US')} (not found)`, `${x.s.toFixed(2)} s`];

export async function firstBugMode(args: readonly string[]): Promise<void> {
  const i = args.indexOf('--budget');
  const budgetS = i >= 0 ? Number(args[i + 1]) : 60;
  if (!(budgetS > 0)) {
    console.error(`bench first-bug: --budget ${args[i + 1] ?? ''}; accepted: seconds, a positive number`);
    process.exitCode = 2;
    return;
  }
  const names = args.filter((a, k) => !a.startsWith('--') && args[k - 1] !== '--budget');
  const selected = cases().filter((c) => names.length === 0 || names.includes(c.scenario.name));
  console.log(`first violation of a default run (--first, spec on); before: DPOR alone (--no-random-phase); after: the random phase of ${DEFAULT_RANDOM_PHASE} first; budget ${budgetS} s; wall-clock on a shared machine\n`);
  const head = ['scenario', 'variant', 'strategy', 'executions before', 'time before', 'executions after', 'time after', 'found after by', 'after < 1 s'];
  const rows: string[][] = [];
  for (const c of selected) {
    const before = firstViolation(c, 0, budgetS);
    const after = firstViolation(c, DEFAULT_RANDOM_PHASE, budgetS);
    const by = after.r.violations[0]?.strategy ?? '-';
    rows.push([c.scenario.name, c.variant, after.r.strategy, ...cell(before), ...cell(after), by, after.s < 1 && after.r.violations.length > 0 ? 'yes' : 'NO']);
    console.log(rows.at(-1)!.join('  '));
  }
  console.log('');
  const all = [head, ...rows];
  const w = head.map((_, k) => Math.max(...all.map((r) => r[k]!.length)));
  const line = (r: readonly string[]) => r.map((x, k) => (k <= 2 || k === 7 ? x.padEnd(w[k]!) : x.padStart(w[k]!))).join('  ');
  console.log(line(head));
  console.log(line(w.map((x) => '-'.repeat(x))));
  for (const r of rows) console.log(line(r));
}
