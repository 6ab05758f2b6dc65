import { describe, expect, it } from 'vitest';
import { explore, exploreAsync, type Progress } from './explore.ts';
import { access, lockedCounters, sharedWriters } from './examples.ts';
import { KernelAssertion, type Ctx } from './op.ts';
import type { Program } from './runtime.ts';
import { binom } from './examples.ts';
import { DporStrategy } from './strategies/dpor.ts';

describe('explore: outcome, statistics and budgets', () => {
  it('reports ok with statistics for a complete exhaustive search', () => {
    const o = explore(sharedWriters(4), { races: false });
    expect(o.status).toBe('ok');
    expect(o.stats).toMatchObject({ executions: binom(8, 4), cut: 0, repeated: 0, violating: 0, complete: true, stopReason: 'exhausted', strategy: { strategy: 'dpor', bounds: {} } });
    // Every execution runs the 2 start steps and 8 writes.
    expect(o.stats.steps).toBe(binom(8, 4) * 10);
    expect(o.stats.stepsPerSec).toBeGreaterThan(0);
  });

  it('stops at maxExecutions, and the search is then not complete', () => {
    const o = explore(sharedWriters(6), { maxExecutions: 10 });
    expect(o.stats).toMatchObject({ executions: 10, complete: false, stopReason: 'max-executions' });
  });

  it('stops at an abort signal and at the time budget, keeping the statistics', () => {
    const ac = new AbortController();
    let n = 0;
    const o = explore(sharedWriters(8), { signal: ac.signal, onExecution: () => ++n === 25 && ac.abort() });
    expect(o.stats).toMatchObject({ executions: 25, complete: false, stopReason: 'aborted' });
    const t = explore(sharedWriters(12), { timeBudgetMs: 50 });
    expect(t.stats.stopReason).toBe('time-budget');
    expect(t.stats.complete).toBe(false);
  });

  it('calls onProgress with rate and, for exhaustive strategies, a lower bound on what remains, never a guessed share', () => {
    const seen: Progress[] = [];
    explore(sharedWriters(9), { progressIntervalMs: 0, maxExecutions: 2000, onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(100);
    const last = seen[seen.length - 1]!;
    expect(last.executionsPerSec).toBeGreaterThan(0);
    expect(last.remainingAtLeast).toBeGreaterThan(0);
    expect(last.fractionAtMost).toBeGreaterThan(0);
    expect(last.fractionAtMost).toBeLessThan(1);
    expect(Object.keys(last)).not.toContain('fractionDone');
    // Not exhaustive: nothing to bound.
    const r: Progress[] = [];
    explore(sharedWriters(3), { strategy: { kind: 'random' }, progressIntervalMs: 0, maxExecutions: 20, onProgress: (p) => r.push(p) });
    expect(r.at(-1)!.remainingAtLeast).toBeUndefined();
  });

  it('is honest where the tree-size guess lies: 4 writers of 2 writes, where DPOR guessed 44% explored at 3%', () => {
    // Under DPOR the backtrack sets near the root grow late, so the equal-weight guess of the path (DporStrategy.fractionDone) runs far ahead.
    const p = sharedWriters(2, 4);
    const total = explore(p, { races: false, stopOnViolation: false }).stats;
    const begun = total.executions + total.cut;
    const dpor = new DporStrategy();
    let worstGuess = 0;
    let checked = 0;
    let n = 0;
    explore(p, {
      strategy: dpor,
      races: false,
      stopOnViolation: false,
      progressIntervalMs: 0,
      onExecution: () => {
        n++;
        worstGuess = Math.max(worstGuess, dpor.fractionDone() - n / begun);
      },
      onProgress: (pr) => {
        // Called before the next execution begins: n have begun.
        checked++;
        expect(pr.remainingAtLeast!).toBeLessThanOrEqual(begun - n);
        expect(pr.fractionAtMost!).toBeGreaterThanOrEqual(n / begun);
      },
    });
    expect(checked).toBeGreaterThan(2000);
    expect(worstGuess).toBeGreaterThan(0.4);
  });

  interface W {
    ctx: Ctx;
    x: number;
  }
  // Thread A fails an assertion when it runs after B's write; B fails another when it sees A's.
  const twoBugs: Program<W> = {
    name: 'two-bugs',
    setup(ctx) {
      const w: W = { ctx, x: 0 };
      ctx.spawn('A', function* () {
        yield access('x', true, true);
        if (w.x === 2) throw new KernelAssertion('KASSERT', 'a', 'saw B');
        w.x = 1;
      });
      ctx.spawn('B', function* () {
        yield access('x', true, true);
        if (w.x === 1) throw new KernelAssertion('panic', 'b', 'saw A');
        w.x = 2;
      });
      return w;
    },
  };

  it('stops at the first violation by default, or collects every distinct one', () => {
    const first = explore(twoBugs);
    expect(first.status).toBe('violation');
    if (first.status !== 'violation') return;
    expect(first.violations).toHaveLength(1);
    expect(first.stats.stopReason).toBe('violation');
    const all = explore(twoBugs, { stopOnViolation: false });
    expect(all.status).toBe('violation');
    if (all.status !== 'violation') return;
    expect(all.violations.map((c) => `${c.violation.kind} ${c.violation.message}`).sort()).toEqual(['assertion saw A', 'assertion saw B']);
    expect(all.stats.complete).toBe(true);
  });

  it('a target filter ignores other violations', () => {
    const o = explore(twoBugs, { target: (v) => v.kind === 'assertion' && v.fn === 'a' });
    expect(o.status).toBe('violation');
    if (o.status !== 'violation') return;
    expect(o.violations.map((c) => c.violation.message)).toEqual(['saw B']);
  });

  it('invariants are checked after every step; a step bound catches livelock', () => {
    const o = explore({ ...lockedCounters(2), invariants: [{ name: 'count below 2', check: (w) => (w.vars['count']! < 2 ? null : 'count reached 2') }] });
    expect(o).toMatchObject({ status: 'violation', violations: [{ violation: { kind: 'invariant', property: 'count below 2', message: 'count reached 2' } }] });
    const spin: Program<W> = {
      name: 'spin',
      setup(ctx) {
        ctx.spawn('S', function* () {
          for (;;) yield { kind: 'yield', label: 'spin', fp: [] };
        });
        return { ctx, x: 0 };
      },
    };
    expect(explore(spin, { maxSteps: 100 })).toMatchObject({ status: 'violation', violations: [{ violation: { kind: 'step-bound', step: 100 } }] });
  });

  it('exploreAsync yields to the event loop, so an abort from a timer stops it', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const o = await exploreAsync(sharedWriters(14), { signal: ac.signal, sliceMs: 5 });
    expect(o.stats.stopReason).toBe('aborted');
    expect(o.stats.executions).toBeGreaterThan(0);
  });
});
