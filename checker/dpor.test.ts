import { describe, expect, it } from 'vitest';
import { explore, type Outcome } from './explore.ts';
import { binom, disjointWriters, factorial, lockedCounters, lostUpdate, lostWakeup, multinomial, sharedWriters } from './examples.ts';
import { countTraces } from './mazurkiewicz.ts';
import { DporStrategy } from './strategies/dpor.ts';
import type { Program } from './runtime.ts';

function all<W>(p: Program<W>, kind: 'dpor' | 'dfs' = 'dpor'): Outcome {
  return explore(p, { strategy: { kind }, stopOnViolation: false, races: false });
}

describe('DPOR explores exactly one execution per Mazurkiewicz trace on closed-form programs', () => {
  it.each([1, 2, 3, 4, 5])('%i threads writing disjoint variables: 1 trace', (k) => {
    const o = all(disjointWriters(k, 2));
    expect(o.status).toBe('ok');
    expect(o.stats.executions).toBe(1);
    expect(o.stats.cut).toBe(0);
    expect(o.stats.complete).toBe(true);
  });

  it.each([1, 2, 3, 4, 5, 6, 7])('two threads each writing x %i times: C(2n, n) traces', (n) => {
    const o = all(sharedWriters(n));
    expect(o.stats.executions).toBe(binom(2 * n, n));
    expect(o.stats.cut).toBe(0);
    expect(o.stats.complete).toBe(true);
  });

  it.each([
    [3, 1],
    [3, 2],
    [4, 1],
    [3, 3],
  ])('%i threads each writing x %i times: multinomial traces', (t, n) => {
    const o = all(sharedWriters(n, t));
    expect(o.stats.executions).toBe(multinomial(Array(t).fill(n)));
    // Source sets without wakeup trees: sleep-set blocked executions are possible with 3+ threads; none occur here.
    expect(o.stats.cut).toBe(0);
  });

  it('naive DFS explores every interleaving (the baseline), DPOR one per trace', () => {
    // Two threads, a start step and 3 writes each: C(8, 4) interleavings, C(6, 3) traces.
    expect(all(sharedWriters(3), 'dfs').stats.executions).toBe(binom(8, 4));
    expect(all(sharedWriters(3)).stats.executions).toBe(binom(6, 3));
    expect(countTraces(sharedWriters(3))).toBe(binom(6, 3));
  });
});

describe('DPOR on blocking programs: exact counts and documented redundancy', () => {
  // Without lock-aware races, a lock handoff makes source-DPOR try the
  // waiting thread once before the holder's unlock; that execution ends
  // sleep-set blocked (see README). With them (the default), the waiting
  // acquire is reversed against the holder's acquire, where it can run: no
  // execution is cut. The cut counts are pinned so that a change is noticed;
  // the complete executions are the trace count either way.
  it.each([
    [2, 1, 1],
    [3, 1, 4],
    [4, 1, 15],
    [2, 2, 2],
    [3, 2, 18],
  ])('%i threads, %i locked increments each: (k*r)!/(r!)^k complete executions, none cut (%i without lock-aware races)', (k, r, cut) => {
    const o = all(lockedCounters(k, r));
    expect(o.status).toBe('ok');
    expect(o.stats.executions).toBe(factorial(k * r) / factorial(r) ** k);
    expect(o.stats.executions).toBe(countTraces(lockedCounters(k, r)));
    expect(o.stats.cut).toBe(0);
    expect(o.stats.complete).toBe(true);
    const old = explore(lockedCounters(k, r), { strategy: new DporStrategy({ lockAware: false }), stopOnViolation: false, races: false });
    expect(old.stats.executions).toBe(o.stats.executions);
    expect(old.stats.cut).toBe(cut);
  });

  it('finds the lost update in the traces where both reads precede both writes', () => {
    const o = all(lostUpdate());
    expect(o.status).toBe('violation');
    expect(o.stats.executions).toBe(countTraces(lostUpdate()));
    // Four traces (the reads commute); the update is lost in the two where both reads come before both writes.
    expect(o.stats.executions).toBe(4);
    expect(o.stats.violating).toBe(2);
    if (o.status !== 'violation') return;
    expect(o.violations[0]!.violation).toMatchObject({ kind: 'final', property: 'no lost update' });
  });

  it('finds the lost wakeup as a deadlock naming the sleeper and its channel', () => {
    const o = all(lostWakeup());
    expect(o.status).toBe('violation');
    expect(o.stats.executions).toBe(2);
    expect(o.stats.executions).toBe(countTraces(lostWakeup()));
    if (o.status !== 'violation') return;
    const v = o.violations[0]!.violation;
    expect(v.kind).toBe('deadlock');
    expect(v.message).toContain('sleeper blocked in wake from "wait" on c waiting for a wakeup on c');
  });

  it('is deterministic: the same program explores the same executions in the same order', () => {
    const run = () => {
      const seen: string[] = [];
      explore(lockedCounters(3), { stopOnViolation: false, onExecution: (r) => seen.push(r.steps.map((s) => `${s.tid}:${s.label}`).join(' ')) });
      return seen;
    };
    expect(run()).toEqual(run());
  });
});

describe('choices (ctx.choose) are explored exhaustively', () => {
  it('branches on setup choices and on choices inside steps, times the traces', async () => {
    const { access } = await import('./examples.ts');
    const seen = new Set<string>();
    const p: Program<{ ctx: import('./op.ts').Ctx; x: number }> = {
      name: 'choices',
      setup(ctx) {
        const mode = ctx.choose(3, 'mode'); // 3 worlds
        const w = { ctx, x: mode };
        for (const name of ['A', 'B'])
          ctx.spawn(name, function* () {
            yield access('x', true, true);
            w.x = w.x * 10 + ctx.choose(2, `${name} coin`); // 2 values per thread
          });
        return w;
      },
      finals: [{ name: 'record', check: (w) => (seen.add(String(w.x)), null) }],
    };
    const o = explore(p, { stopOnViolation: false });
    // 3 setup values x 2 orders of the writes x 2 x 2 coin values.
    expect(o.stats.executions).toBe(3 * 2 * 4);
    // Naive DFS: 6 interleavings of the two start and two write steps.
    expect(explore(p, { strategy: { kind: 'dfs' }, stopOnViolation: false }).stats.executions).toBe(3 * 6 * 4);
    // x = mode, then the coins of the first and second writer: every combination occurs.
    expect(seen.size).toBe(3 * 4);
  });
});

describe('threads created while running', () => {
  it('matches naive enumeration when children spawned mid-execution push the thread count past the clock stride', async () => {
    const { access } = await import('./examples.ts');
    const { traceSignature } = await import('./mazurkiewicz.ts');
    // A parent writes x, then spawns three children (tids 2, 3, 4: past the initial clock stride of 4
    // after steps are recorded) whose only step writes x or y; a sibling writes y.
    const p: Program<{ ctx: import('./op.ts').Ctx; log: string[] }> = {
      name: 'spawner',
      setup(ctx) {
        const w = { ctx, log: [] as string[] };
        ctx.spawn('parent', function* () {
          yield access('x', true, true);
          w.log.push('p');
          yield { kind: 'spawn', label: 'spawn children', fp: [] };
          for (let i = 0; i < 3; i++)
            // eslint-disable-next-line require-yield
            ctx.spawn(`child${i}`, function* () {
              ctx.touch(i % 2 === 0 ? 'x' : 'y', true, true);
              w.log.push(`c${i}`);
            });
        });
        ctx.spawn('sibling', function* () {
          yield access('y', true, true);
          w.log.push('s');
        });
        return w;
      },
    };
    const sigs = (kind: 'dpor' | 'dfs') => {
      const all: string[] = [];
      const o = explore(p, { strategy: { kind }, stopOnViolation: false, onExecution: (r) => all.push(traceSignature(r)) });
      expect(o.stats.complete).toBe(true);
      return all;
    };
    const dpor = sigs('dpor');
    const dfs = new Set(sigs('dfs'));
    expect(new Set(dpor).size).toBe(dpor.length);
    expect([...new Set(dpor)].sort()).toEqual([...dfs].sort());
    // x: the parent's write, then children 0 and 2 in either order; y: the sibling and child 1 in either order.
    expect(dpor.length).toBe(4);
  });
});
