import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { claimNext, claimTasks, newClaimState, noteCutoff, stopClaims, unresolved } from './claim.ts';
import { claimOrder } from './parallel.ts';
import type { TaskResult } from './tasks.ts';

const result = (index: number, violations = 0): TaskResult => ({
  index,
  executions: 1,
  steps: 1,
  cut: 0,
  violating: violations > 0 ? 1 : 0,
  complete: true,
  counters: {},
  violations: Array.from({ length: violations }, () => ({}) as never),
  elapsedMs: 0,
});

describe('task claiming (claim.ts)', () => {
  it('hands out every position exactly once, whatever the interleaving of claims from the front and the back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.array(fc.boolean(), { maxLength: 100 }), (n, ends) => {
        const todo = Array.from({ length: n }, (_, i) => n - 1 - i);
        const sab = newClaimState(n);
        const got: number[] = [];
        let k = 0;
        let front = false;
        let back = false;
        // Alternate ends as the array says until both ends report none left.
        while (!(front && back)) {
          const fromBack = ends[k++ % Math.max(ends.length, 1)] ?? false;
          const i = claimNext(sab, todo, fromBack);
          if (i === undefined) {
            if (fromBack) back = true;
            else front = true;
            if (ends.length === 0 || ends.every((e) => e === fromBack)) break;
          } else got.push(i);
        }
        // Whatever remains (an end may have stopped early) goes to the front.
        for (let i = claimNext(sab, todo); i !== undefined; i = claimNext(sab, todo)) got.push(i);
        expect([...got].sort((a, b) => a - b)).toEqual([...todo].sort((a, b) => a - b));
        expect(unresolved(sab, todo, (i) => got.includes(i))).toEqual([]);
      }),
    );
  });

  it('skips tasks past a cutoff, and a stop ends claiming', () => {
    const todo = [0, 1, 2, 3, 4, 5];
    const sab = newClaimState(todo.length);
    const ran: number[] = [];
    claimTasks(sab, todo, true, (i) => {
      ran.push(i);
      return result(i, i === 2 ? 1 : 0);
    });
    expect(ran).toEqual([0, 1, 2]);
    // Skipped positions are resolved; nothing is left waiting.
    expect(unresolved(sab, todo, (i) => ran.includes(i))).toEqual([]);

    const sab2 = newClaimState(3);
    noteCutoff(sab2, 1);
    noteCutoff(sab2, 2); // never raised
    expect(claimNext(sab2, [0, 1, 2])).toBe(0);
    expect(claimNext(sab2, [0, 1, 2])).toBe(1);
    expect(claimNext(sab2, [0, 1, 2])).toBeUndefined();

    const sab3 = newClaimState(3);
    stopClaims(sab3);
    expect(claimNext(sab3, [0, 1, 2])).toBeUndefined();
    expect(unresolved(sab3, [0, 1, 2], () => false)).toEqual([0, 1, 2]);
  });

  it('claims in index order when stopping at a violation, fewest sleepers first otherwise', () => {
    const t = (sleepers: number) => ({ prefix: [], sleep: Array.from({ length: sleepers }, (_, tid) => ({ tid, fp: [] })) });
    const tasks = [t(1), t(0), t(2), t(0)];
    expect(claimOrder(tasks, [0, 1, 2, 3], true)).toEqual([0, 1, 2, 3]);
    expect(claimOrder(tasks, [0, 1, 2, 3], false)).toEqual([1, 3, 0, 2]);
  });
});
