import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scenarioArb } from './generate.ts';
import { runScenario } from './run.ts';
import { EXPECTED_VIOLATIONS } from './expectations.ts';

const known = new Set(Object.values(EXPECTED_VIOLATIONS.seed).flat());

describe('generated scenarios under bounded exploration', () => {
  it('find nothing on the repaired variant when callers keep the 2017 locking', () => {
    fc.assert(
      fc.property(scenarioArb({ bounds: { preemptions: 1, maxExecutions: 100 }, lawful: true }), (s) => {
        const r = runScenario({ scenario: s, variant: 'repaired', first: true });
        expect(r.error).toBeUndefined();
        expect(r.violated).toEqual([]);
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it('store only through a writable mapping: the initial one, or the thread\'s own after update_writecount', () => {
    let stores = 0;
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        for (const t of s.threads) {
          let held = 0;
          let writable = 0;
          for (const op of t.ops) {
            if (op.op === 'alloc') held++;
            if (op.op === 'deallocate') held--;
            if (op.op === 'update_writecount') writable++;
            if (op.op === 'release_writecount') writable--;
            if (op.op !== 'dirty') continue;
            stores++;
            expect(writable > 0 || (held === 0 && s.initial.writeMapped)).toBe(true);
          }
        }
      }),
      { numRuns: 500, seed: 3 },
    );
    expect(stores).toBeGreaterThan(0);
  });

  it('find a seed defect on the seed, and shrink it to a small scenario', () => {
    const r = fc.check(
      fc.property(scenarioArb({ bounds: { preemptions: 1, maxExecutions: 100 }, lawful: true }), (s) => runScenario({ scenario: s, variant: 'seed', first: true }).status === 'ok'),
      { numRuns: 100, seed: 42 },
    );
    expect(r.failed).toBe(true);
    const s = r.counterexample![0];
    const ops = s.threads.flatMap((t) => t.ops);
    expect(ops.length).toBeLessThanOrEqual(4);
    expect(s.file.size).toBeLessThanOrEqual(8192);
    const again = runScenario({ scenario: s, variant: 'seed' });
    expect(again.violated.length).toBeGreaterThan(0);
    for (const p of again.violated) expect(known).toContain(p);
    // The same scenario is clean once repaired.
    expect(runScenario({ scenario: s, variant: 'repaired' }).violated).toEqual([]);
  });
});
