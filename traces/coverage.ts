/*
 * Coverage files for the report: per spec machine, which states and
 * transitions were covered. Two sources:
 *  - 'catalog': what the lock-step monitor saw while the scenario catalog was
 *    explored (the main job, `pagercheck explore`), with counts;
 *  - 'paths': spec/coverage.ts driving every covering path of every machine
 *    on the port (`pagercheck coverage`).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AnyStateMachine } from 'xstate';
import { MACHINES, MACHINE_NAMES, coverableStatesOf, transitionsOf } from '../spec/catalog.ts';
import type { CoverageTally } from '../spec/conformance.ts';
import type { MachineCoverage } from '../spec/coverage.ts';

export interface Covered {
  readonly total: number;
  readonly covered: readonly string[];
  readonly missing: readonly string[];
}

export interface MachineCoverageData {
  readonly machine: string;
  readonly states: Covered;
  readonly transitions: Covered;
  /** How often each transition fired (catalog source). */
  readonly counts?: Readonly<Record<string, number>>;
}

export interface CoverageData {
  readonly format: 'pagercheck-coverage';
  readonly version: 1;
  readonly source: 'catalog' | 'paths';
  /** What was run, for the report ("19 scenarios on seed, repaired"). */
  readonly what: string;
  readonly machines: readonly MachineCoverageData[];
}

/** Coverage from the monitor's tally over explorations. */
export function coverageFromTally(tally: CoverageTally, what: string): CoverageData {
  const machines = MACHINE_NAMES.map((name): MachineCoverageData => {
    const m = MACHINES[name] as AnyStateMachine;
    const t = tally.transitions.get(name) ?? new Map<string, number>();
    const s = tally.states.get(name) ?? new Map<string, number>();
    const ids = transitionsOf(m).map((x) => x.id);
    const states = coverableStatesOf(m).map((x) => x.path);
    const counts: Record<string, number> = {};
    for (const id of ids) if ((t.get(id) ?? 0) > 0) counts[id] = t.get(id)!;
    return {
      machine: name,
      states: { total: states.length, covered: states.filter((p) => (s.get(p) ?? 0) > 0), missing: states.filter((p) => (s.get(p) ?? 0) === 0) },
      transitions: { total: ids.length, covered: ids.filter((id) => (t.get(id) ?? 0) > 0), missing: ids.filter((id) => (t.get(id) ?? 0) === 0) },
      counts,
    };
  });
  return { format: 'pagercheck-coverage', version: 1, source: 'catalog', what, machines };
}

/** Coverage from spec/coverage.ts's path coverage. */
export function coverageFromPaths(cov: readonly MachineCoverage[], what: string): CoverageData {
  return {
    format: 'pagercheck-coverage',
    version: 1,
    source: 'paths',
    what,
    machines: cov.map((c) => ({
      machine: c.machine,
      states: { total: c.states.total, covered: [...c.states.covered], missing: [...c.states.missing] },
      transitions: { total: c.transitions.total, covered: [...c.transitions.covered], missing: [...c.transitions.missing] },
    })),
  };
}

const covered = z.strictObject({ total: z.number().int().min(0), covered: z.array(z.string()), missing: z.array(z.string()) });
const schema = z.strictObject({
  format: z.literal('pagercheck-coverage'),
  version: z.literal(1),
  source: z.enum(['catalog', 'paths']),
  what: z.string(),
  machines: z.array(z.strictObject({ machine: z.string(), states: covered, transitions: covered, counts: z.record(z.string(), z.number()).optional() })),
});

/** Reads a coverage file; a one-line Error naming the field when it is not one. */
export function loadCoverage(file: string): CoverageData {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not a readable JSON file (${(e as Error).message.split('\n')[0]}); accepted: a coverage file written by pagercheck`);
  }
  const r = schema.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${file}: ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  }
  return r.data;
}

/** "objectLifecycle: transitions 20/24, states 6/7" lines. */
export function coverageText(c: CoverageData): string {
  const lines = [`spec coverage (${c.source === 'catalog' ? 'seen while exploring' : 'covering paths driven on the port'}: ${c.what})`];
  for (const m of c.machines) {
    lines.push(`  ${m.machine.padEnd(16)} transitions ${String(m.transitions.covered.length).padStart(3)}/${m.transitions.total}   states ${String(m.states.covered.length).padStart(3)}/${m.states.total}`);
  }
  return lines.join('\n') + '\n';
}
