import { describe, expect, it } from 'vitest';
import { explore } from '../checker/explore.ts';
import { violationKey } from '../checker/counterexample.ts';
import type { Violation } from '../checker/runtime.ts';
import { DfsStrategy } from '../checker/strategies/dfs.ts';
import { DporStrategy } from '../checker/strategies/dpor.ts';
import type { Strategy } from '../checker/strategy.ts';
import { snapshot } from '../traces/kstate.ts';
import { CATALOG, PROBES, catalogScenario } from './catalog.ts';
import { EXPECTED_VIOLATIONS } from './expectations.ts';
import type { Observed } from './observed.ts';
import { buildProgram } from './program.ts';
import { propertyOfViolation } from './properties.ts';
import type { Scenario } from './scenario.ts';

/*
 * Footprint audit. DPOR explores one schedule per Mazurkiewicz trace of the
 * DECLARED footprints; an access the model makes (or a check reads) without
 * declaring it lets DPOR merge orders that differ. Naive DFS enumerates every
 * schedule whatever the footprints say, so on a program small enough for it
 * the two must find the same violations (by property and place) and the same
 * final states of the executions that end normally. DPOR runs with its
 * default reductions (commuting relation, refcounts on), races off on both
 * sides (the data-race detector is not about footprint soundness).
 */

/** Most DFS executions a scenario may take to be compared; larger ones are skipped (named in the test title). */
const DFS_CAP = 1000;

/* Where a violation happened, as far as is the same in every order: the assertion's line, the property. */
function place(v: Violation): string {
  return v.kind === 'assertion' ? `${violationKey(v)} @${v.line ?? '?'}` : violationKey(v);
}

/* The end state an execution left: the kernel snapshot and what each operation returned. */
function finalState(o: Observed): string {
  const kernel = [...snapshot(o.k)].map(([key, v]) => `${key}=${v}`).join(' ');
  const outcomes = o.outcomes.map((x) => `${x.thread}#${x.index}=${x.result}${x.detail ? JSON.stringify(x.detail) : ''}`).join(' ');
  return `${kernel} | ${outcomes}`;
}

interface Found {
  readonly complete: boolean;
  readonly executions: number;
  readonly violations: ReadonlySet<string>;
  readonly properties: ReadonlySet<string>;
  readonly finals: ReadonlySet<string>;
}

function search(s: Scenario, variant: string, strategy: Strategy, maxExecutions?: number): Found {
  const finals = new Set<string>();
  const out = explore(buildProgram(s, { variant }), {
    strategy,
    stopOnViolation: false,
    races: false,
    ...(maxExecutions !== undefined ? { maxExecutions } : {}),
    onExecution: (r) => {
      if (r.result.status === 'ok' && r.world !== undefined) finals.add(finalState(r.world));
    },
  });
  if (out.status === 'error') throw new Error(`${s.name} (${variant}, ${strategy.name}): ${out.error.message}`);
  const vs = out.status === 'violation' ? out.violations.map((c) => c.violation) : [];
  return {
    complete: out.stats.complete,
    executions: out.stats.executions,
    violations: new Set(vs.map(place)),
    properties: new Set(vs.map(propertyOfViolation)),
    finals,
  };
}

function only<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): T[] {
  return [...a].filter((x) => !b.has(x)).sort();
}

describe('DPOR finds what naive DFS finds (declared footprints are complete)', () => {
  for (const variant of ['seed', 'repaired'] as const)
    for (const s of [...CATALOG, ...PROBES])
      it(`${variant} ${s.name}`, (ctx) => {
        const dfs = search(s, variant, new DfsStrategy(), DFS_CAP + 1);
        if (!dfs.complete || dfs.executions > DFS_CAP) ctx.skip(`naive DFS takes more than ${DFS_CAP} executions`);
        const dpor = search(s, variant, new DporStrategy());
        expect(dpor.complete).toBe(true);
        expect({ violations: only(dfs.violations, dpor.violations), finals: only(dfs.finals, dpor.finals) }).toEqual({ violations: [], finals: [] });
        /* DPOR may not find more either: a schedule it runs is one DFS runs. */
        expect({ violations: only(dpor.violations, dfs.violations), finals: only(dpor.finals, dfs.finals) }).toEqual({ violations: [], finals: [] });
      });

  it('unlocked-haspage-vs-setsize: DPOR alone finds what the expectation says (the answer step declares what its check reads)', () => {
    for (const variant of ['seed', 'repaired'] as const) {
      const s = catalogScenario('unlocked-haspage-vs-setsize');
      const dpor = search(s, variant, new DporStrategy());
      expect(dpor.complete).toBe(true);
      expect([...dpor.properties].sort()).toEqual([...EXPECTED_VIOLATIONS[variant][s.name]!].sort());
    }
  });
});
