import { describe, expect, it } from 'vitest';
import { CATALOG, PROBES } from './catalog.ts';
import { runScenario } from './run.ts';
import { EXPECTED_VIOLATIONS } from './expectations.ts';
import { WITNESSES } from './properties.ts';

/*
 * Every catalog scenario and probe, explored exhaustively by DPOR (or by the
 * preemption bound the scenario states) on the 'seed' variant: the search
 * completes, and the properties violated are exactly the expected ones.
 */
describe('catalog on the seed variant', () => {
  const reached = new Set<string>();
  for (const s of [...CATALOG, ...PROBES]) {
    it(`${s.name}`, () => {
      const r = runScenario({ scenario: s, variant: 'seed', witnesses: true });
      r.witnesses.forEach((w) => reached.add(w));
      expect(r.error).toBeUndefined();
      expect(r.complete).toBe(true);
      expect(r.executions).toBeGreaterThan(0);
      expect([...r.violated].sort()).toEqual([...(EXPECTED_VIOLATIONS['seed'][s.name] ?? [])].sort());
    });
  }
  it('reaches every witness in some scenario', () => {
    expect(WITNESSES.map((w) => w.name).filter((n) => !reached.has(n))).toEqual([]);
  });
});
