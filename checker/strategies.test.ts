import { describe, expect, it } from 'vitest';
import { explore } from './explore.ts';
import { access, lostUpdate, publishBeforeInit, sharedWriters } from './examples.ts';
import type { Ctx } from './op.ts';
import type { Program } from './runtime.ts';
import { Prng } from './prng.ts';

describe('preemption-bounded search (iterative bound)', () => {
  it('counts executions per bound exactly: two threads of two steps', () => {
    // AABB and BBAA need no preemption, ABBA and BAAB one, ABAB and BABA two.
    const at = (b: number) => explore(sharedWriters(1), { strategy: { kind: 'bounded', maxPreemptions: b }, races: false });
    expect(at(0).stats).toMatchObject({ executions: 2, repeated: 0, complete: true });
    expect(at(1).stats).toMatchObject({ executions: 4, repeated: 2, complete: true });
    const o = at(5);
    // The pass with bound 2 refuses no preemption, so the search ends there, complete.
    expect(o.stats).toMatchObject({ executions: 6, repeated: 2 + 4, complete: true, counters: { bound: 2 } });
  });

  it('finds the counterexample with the fewest preemptions first', () => {
    const o = explore(lostUpdate(), { strategy: { kind: 'bounded', maxPreemptions: 3 } });
    expect(o.status).toBe('violation');
    if (o.status !== 'violation') return;
    expect(o.violations[0]!.preemptions).toBe(1);
    expect(o.violations[0]!.bounds).toEqual({ maxSteps: 10_000, maxPreemptions: 3 });
    expect(o.stats.counters['bound']).toBe(1);
  });
});

describe('PCT and random walk', () => {
  it('PCT with depth 2 and a fixed seed finds the planted ordering bug', () => {
    const o = explore(publishBeforeInit(), { strategy: { kind: 'pct', depth: 2 }, seed: 7, maxExecutions: 2000 });
    expect(o.status).toBe('violation');
    if (o.status !== 'violation') return;
    const c = o.violations[0]!;
    expect(c.violation).toMatchObject({ kind: 'assertion', fn: 'reader', message: 'ready set but data is 0' });
    expect(c).toMatchObject({ strategy: 'pct', seed: 7, bounds: { depth: 2 } });
    expect(o.stats.executions).toBeLessThan(2000);
  });

  it('random walk with a fixed seed finds it too', () => {
    const o = explore(publishBeforeInit(), { strategy: { kind: 'random' }, seed: 3, maxExecutions: 5000 });
    expect(o.status).toBe('violation');
  });

  it('the bug exists and exhaustive search confirms it', () => {
    expect(explore(publishBeforeInit(), { strategy: { kind: 'dpor' } }).status).toBe('violation');
  });

  it.each(['pct', 'random'] as const)('%s is a function of the seed', (kind) => {
    const run = (seed: number) => {
      const seen: string[] = [];
      explore(sharedWriters(3, 3), {
        strategy: kind === 'pct' ? { kind, depth: 3 } : { kind },
        seed,
        maxExecutions: 50,
        onExecution: (r) => seen.push(r.steps.map((s) => s.tid).join('')),
      });
      return seen;
    };
    expect(run(11)).toEqual(run(11));
    expect(run(11)).not.toEqual(run(12));
  });

  it('PCT without change points (depth 1) runs threads by priority, without preemption', () => {
    const o = explore(sharedWriters(3, 3), {
      strategy: { kind: 'pct', depth: 1 },
      maxExecutions: 20,
      onExecution: (r) => {
        const order = r.steps.map((s) => s.tid);
        // Each thread runs to its end once started: the tid sequence has exactly three runs.
        const runs = order.filter((t, i) => i === 0 || t !== order[i - 1]).length;
        expect(runs).toBe(3);
      },
    });
    expect(o.stats.executions).toBe(20);
  });

  it('the PRNG is xoshiro128** seeded through splitmix32: fixed outputs, unbiased bounded draws', () => {
    // Reference values from an independent implementation of the same two generators.
    const p = new Prng(42);
    expect([p.next32(), p.next32(), p.next32(), p.next32()]).toEqual([2837322924, 544945897, 479756282, 3500138142]);
    const counts = [0, 0, 0];
    const q = new Prng(1);
    for (let i = 0; i < 30_000; i++) counts[q.below(3)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => new Prng(-1)).toThrow('seed -1 is not accepted: give an integer in [0, 4294967295]');
  });
});

describe('errors: harness bugs and nondeterministic models', () => {
  interface W {
    ctx: Ctx;
  }

  it('a model that changes between executions is reported as not deterministic', () => {
    let runs = 0; // state outside the world: exactly what a model must not have
    const flaky: Program<W> = {
      name: 'flaky',
      setup(ctx) {
        runs++;
        const odd = runs % 2 === 1;
        for (const name of ['A', 'B'])
          ctx.spawn(name, function* () {
            yield odd ? access('x', true, true) : access('y', true, true);
            yield access('x', true, true);
          });
        return { ctx };
      },
    };
    const o = explore(flaky);
    expect(o.status).toBe('error');
    if (o.status !== 'error') return;
    expect(o.error.code).toBe('nondeterminism');
    expect(o.error.message).toMatch(/^Reached unexpected exploration state\. Is the model fully deterministic\?.* At step \d+: the recorded prefix runs [AB] at "write [xy]", but its next step is "write [xy]"/);
  });

  it('a thread that throws something other than a KernelAssertion is a harness error with its schedule', () => {
    const broken: Program<W> = {
      name: 'broken',
      setup(ctx) {
        ctx.spawn('T', function* () {
          yield access('x', true, true);
          (null as unknown as { f: number }).f;
        });
        return { ctx };
      },
    };
    const o = explore(broken);
    expect(o.status).toBe('error');
    if (o.status !== 'error') return;
    expect(o.error.code).toBe('harness');
    expect(o.error.message).toMatch(/^thread T threw at step 1 \(write x\): TypeError/);
    expect(o.error.schedule?.map((s) => s.label)).toEqual(['start', 'write x']);
  });

  it('bad options get a one-line error naming what is accepted', () => {
    const o = explore(sharedWriters(1), { strategy: { kind: 'bfs' } as never });
    expect(o).toMatchObject({ status: 'error', error: { code: 'bad-input', message: 'strategy "bfs" is not accepted: use one of dpor, dfs, bounded, pct, random' } });
    const o2 = explore(sharedWriters(1), { maxExecutions: 0 });
    expect(o2).toMatchObject({ status: 'error', error: { code: 'bad-input', message: 'maxExecutions 0 is not accepted: give a number >= 1' } });
    const o3 = explore(sharedWriters(1), { strategy: { kind: 'pct', depth: 0 } });
    expect(o3).toMatchObject({ status: 'error', error: { code: 'bad-input', message: 'PCT depth 0 is not accepted: give an integer >= 1' } });
  });
});

describe('DPOR explain (RaceTally)', () => {
  it('counts every backtrack point the search added, per pair of operations and the resources they conflict on', async () => {
    const { DporStrategy } = await import('./strategies/dpor.ts');
    const { RaceTally } = await import('./strategies/explain.ts');
    const { lockedCounters } = await import('./examples.ts');
    const tally = new RaceTally();
    const o = explore(lockedCounters(3), { strategy: new DporStrategy({ explain: tally }), stopOnViolation: false, races: false });
    const c = o.stats.counters as Record<string, number>;
    expect(tally.total()).toBe(c['racesReversed']! + c['fallbacks']!);
    expect(tally.total()).toBeGreaterThan(0);
    // Three threads taking one mutex: every backtrack point comes from two acquires of it.
    const pairs = tally.pairs().filter((p) => p.backtracks > 0);
    expect(pairs.every((p) => p.resources === 'lock:m' && p.first === 'lock lock m' && p.second.startsWith('lock lock m'))).toBe(true);
    expect(tally.byResource()).toEqual([['lock:m', tally.total()]]);
  });
});

describe('vector clocks (clock.ts)', () => {
  it('keep every value when they grow in rows and threads, and join component-wise', async () => {
    const { ClockTable } = await import('./clock.ts');
    const t = new ClockTable(2, 2);
    t.set(0, 0, 3);
    t.set(1, 1, 5);
    t.ensure(9, 5);
    expect([t.get(0, 0), t.get(0, 1), t.get(1, 0), t.get(1, 1)]).toEqual([3, 0, 0, 5]);
    t.set(8, 4, 7);
    t.join(0, 1, t.width);
    t.join(0, 8, t.width);
    expect([t.get(0, 0), t.get(0, 1), t.get(0, 4)]).toEqual([3, 5, 7]);
    expect(t.covers(0, 4, 7)).toBe(true);
    expect(t.covers(0, 4, 8)).toBe(false);
  });
});
