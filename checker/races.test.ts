import { describe, expect, it } from 'vitest';
import { explore } from './explore.ts';
import { minimize } from './minimize.ts';
import { replay } from './counterexample.ts';
import { RaceMonitor, withRaces } from './races.ts';
import { access, racyWrites } from './examples.ts';
import type { Ctx } from './op.ts';
import type { Program } from './runtime.ts';
import { SleepQueues, sleep, wakeup } from '../impl/kernel/sync.ts';

describe('data-race detector', () => {
  it('reports two unsynchronised writes, naming both steps', () => {
    const o = explore(racyWrites('plain'));
    expect(o.status).toBe('violation');
    if (o.status !== 'violation') return;
    const v = o.violations[0]!.violation;
    expect(v).toMatchObject({ kind: 'data-race', res: 'x', first: 1, second: 3 });
    expect(v.message).toBe('data race on x: write at step 1 (A: write x) and write at step 3 (B: write x) are not ordered by happens-before');
  });

  it('does not report atomic accesses, nor accesses ordered by a lock', () => {
    expect(explore(racyWrites('atomic'), { stopOnViolation: false }).status).toBe('ok');
    const o = explore(racyWrites('locked'), { stopOnViolation: false });
    expect(o.status).toBe('ok');
    expect(o.stats.complete).toBe(true);
  });

  it('can be turned off', () => {
    expect(explore(racyWrites('plain'), { races: false }).status).toBe('ok');
  });

  interface W {
    ctx: Ctx;
    sleepq: SleepQueues;
    x: number;
  }

  it('orders a write before a wakeup with the accesses after the resume', () => {
    // The sleeper reads x only after its wakeup, which comes after the write: no race.
    const ordered: Program<W> = {
      name: 'wakeup-orders',
      setup(ctx) {
        const w: W = { ctx, sleepq: new SleepQueues(), x: 0 };
        ctx.spawn('sleeper', function* () {
          yield* sleep(w, 'c', null, 0, 'wait');
          yield access('x', false);
        });
        ctx.spawn('waker', function* () {
          yield access('x', true);
          w.x = 1;
          yield* wakeup(w, 'c');
        });
        return w;
      },
    };
    const o = explore(ordered, { stopOnViolation: false });
    // Both executions: the wakeup is lost (deadlock) or the read is ordered after the write.
    expect(o.status).toBe('violation');
    if (o.status !== 'violation') return;
    expect(o.violations.map((c) => c.violation.kind)).toEqual(['deadlock']);
  });

  it('orders a spawned thread after the step that spawned it', () => {
    const spawnOrders: Program<W> = {
      name: 'spawn-orders',
      setup(ctx) {
        const w: W = { ctx, sleepq: new SleepQueues(), x: 0 };
        ctx.spawn('parent', function* () {
          yield access('x', true);
          w.x = 1;
          yield { kind: 'spawn', label: 'spawn child', fp: [] };
          ctx.spawn('child', function* () {
            yield access('x', true);
            w.x = 2;
          });
        });
        return w;
      },
    };
    expect(explore(spawnOrders, { stopOnViolation: false }).status).toBe('ok');
  });

  it('finds a read racing with a write in another thread', () => {
    const readRace: Program<W> = {
      name: 'read-race',
      setup(ctx) {
        const w: W = { ctx, sleepq: new SleepQueues(), x: 0 };
        ctx.spawn('reader', function* () {
          yield access('x', false);
        });
        ctx.spawn('writer', function* () {
          yield access('x', true);
        });
        return w;
      },
    };
    const o = explore(readRace, { stopOnViolation: false });
    expect(o.status).toBe('violation');
    if (o.status !== 'violation') return;
    expect(o.violations).toHaveLength(1);
    expect(o.violations[0]!.violation.message).toMatch(/^data race on x: (read|write) at step \d \((reader|writer): (read|write) x\) and (read|write) at step \d/);
  });
});

describe('shared lock holders are not ordered with each other', () => {
  it('reports writes made under a shared hold, not writes under the exclusive hold read under a shared one', async () => {
    const { explore } = await import('./explore.ts');
    const { LK_EXCLUSIVE, LK_SHARED, lockmgr, lockmgr_lock, lockmgr_unlock } = await import('../impl/kernel/sync.ts');
    const prog = (firstExclusive: boolean): Program<{ ctx: Ctx }> => ({
      name: `shared-${firstExclusive}`,
      setup(ctx) {
        const w = { ctx };
        const vn = new lockmgr('vn');
        ctx.spawn('A', function* () {
          yield* lockmgr_lock(w, vn, firstExclusive ? LK_EXCLUSIVE : LK_SHARED, 'lock vn');
          ctx.touch('x', true);
          yield* lockmgr_unlock(w, vn, 'unlock vn');
        });
        ctx.spawn('B', function* () {
          yield* lockmgr_lock(w, vn, LK_SHARED, 'slock vn');
          ctx.touch('x', !firstExclusive);
          yield* lockmgr_unlock(w, vn, 'unlock vn');
        });
        return w;
      },
    });
    const both = explore(prog(false), { stopOnViolation: false });
    expect(both.status).toBe('violation');
    if (both.status === 'violation') expect(both.violations[0]!.violation.kind).toBe('data-race');
    expect(explore(prog(true), { stopOnViolation: false }).status).toBe('ok');
  });
});

describe('the race detector is one of the program\'s monitors', () => {
  interface C {
    count: number;
  }
  /* A and B write x unordered; the invariant and the monitor both fire at B's write, the step of the race. */
  const twoWriters = (threads: readonly string[] = ['A', 'B', 'noise']): Program<C> => ({
    name: 'two-writers',
    setup(ctx) {
      const w: C = { count: 0 };
      for (const name of threads)
        ctx.spawn(name, function* () {
          if (name === 'noise') {
            for (let i = 0; i < 3; i++) yield access(`n${i}`, true);
            return;
          }
          yield access('x', true);
          w.count++;
        });
      return w;
    },
    invariants: [{ name: 'written-twice', check: (w) => (w.count >= 2 ? 'x written twice' : null) }],
    monitors: [{ name: 'own', onStep: (_r, i, w) => (w.count >= 2 ? { kind: 'invariant', property: 'own', message: 'own monitor', step: i } : null) }],
  });

  it('withRaces puts it first, once; off leaves the program as it is', () => {
    const p = twoWriters();
    const r = withRaces(p, true);
    expect(r.monitors!.map((m) => m.name)).toEqual(['data-races', 'own']);
    expect(r.monitors![0]).toBeInstanceOf(RaceMonitor);
    expect(withRaces(r, true)).toBe(r);
    expect(withRaces(p, false)).toBe(p);
  });

  it('reports the race before the program\'s own monitors and invariants at the same step', () => {
    const o = explore(twoWriters(), { strategy: { kind: 'dfs' }, maxExecutions: 1 });
    expect(o.status === 'violation' && o.violations[0]!.violation.kind).toBe('data-race');
    const off = explore(twoWriters(), { strategy: { kind: 'dfs' }, maxExecutions: 1, races: false });
    expect(off.status === 'violation' && off.violations[0]!.violation.message).toBe('own monitor');
  });

  it('a program that carries it checks races whatever the runner is told', () => {
    const o = explore(withRaces(twoWriters(), true), { strategy: { kind: 'dfs' }, maxExecutions: 1, races: false });
    expect(o.status === 'violation' && o.violations[0]!.violation.kind).toBe('data-race');
  });

  it("minimization's reduced programs keep it: the race survives dropping a thread", () => {
    const p = twoWriters();
    // The noise thread runs first, so the race is found with it in the schedule.
    const found = explore(p, { strategy: { kind: 'dfs' }, maxExecutions: 50, stopOnViolation: false });
    expect(found.status).toBe('violation');
    if (found.status !== 'violation') return;
    const cex = found.violations.find((c) => c.violation.kind === 'data-race')!;
    const withoutThreads = (names: readonly string[]) => twoWriters(['A', 'B', 'noise'].filter((n) => !names.includes(n)));
    const m = minimize(p, cex, { withoutThreads }).counterexample;
    expect(m.violation.kind).toBe('data-race');
    expect(m.dropped).toEqual(['noise']);
    const again = replay(p, m, { withoutThreads });
    expect(again.status === 'replayed' && again.same).toBe(true);
  });
});
