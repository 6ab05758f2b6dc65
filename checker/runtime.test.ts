import { describe, expect, it } from 'vitest';
import { runExecution, firstRunnable, type Program } from './runtime.ts';
import { KernelAssertion, type Ctx } from './op.ts';
import { mtx, mtx_lock, mtx_unlock, sleep, wakeup, SleepQueues } from '../impl/kernel/sync.ts';

interface W {
  ctx: Ctx;
  sleepq: SleepQueues;
  m: mtx;
  x: number;
}

describe('runtime', () => {
  it('runs threads to completion under the first-runnable scheduler', () => {
    const prog: Program<W> = {
      name: 'two-lockers',
      setup(ctx) {
        const w: W = { ctx, sleepq: new SleepQueues(), m: new mtx('m'), x: 0 };
        for (const name of ['A', 'B'])
          ctx.spawn(name, function* () {
            yield* mtx_lock(w, w.m, 'lock m');
            w.x++;
            yield* mtx_unlock(w, w.m, 'unlock m');
          });
        return w;
      },
    };
    const r = runExecution(prog, firstRunnable);
    expect(r.result.status).toBe('ok');
    expect(r.world?.x).toBe(2);
    expect(r.steps.map((s) => `${r.threadNames[s.tid]}:${s.label}`)).toEqual([
      'A:start', 'A:lock m', 'A:unlock m', 'B:start', 'B:lock m', 'B:unlock m',
    ]);
  });

  it('reports a lost wakeup as a deadlock naming the sleeper and its channel', () => {
    const prog: Program<W> = {
      name: 'lost-wakeup',
      setup(ctx) {
        const w: W = { ctx, sleepq: new SleepQueues(), m: new mtx('m'), x: 0 };
        ctx.spawn('waker', function* () {
          yield* wakeup(w, 'c');
        });
        ctx.spawn('sleeper', function* () {
          yield* mtx_lock(w, w.m, 'lock m');
          yield* sleep(w, 'c', { kind: 'mtx', lock: w.m }, 0, 'wait');
        });
        return w;
      },
    };
    const r = runExecution(prog, firstRunnable);
    expect(r.result.status).toBe('violation');
    if (r.result.status !== 'violation') return;
    expect(r.result.violation.kind).toBe('deadlock');
    expect(r.result.violation.message).toContain('sleeper blocked in wake from "wait" on c');
  });

  it('turns a failed KASSERT into a violation, not a crash', () => {
    const prog: Program<null> = {
      name: 'kassert',
      setup(ctx) {
        ctx.spawn('T', function* () {
          yield { kind: 'yield', label: 'y', fp: [] };
          throw new KernelAssertion('KASSERT', 'vnode_pager_alloc', 'vnode_pager_alloc: no vnode reference', 232);
        });
        return null;
      },
    };
    const r = runExecution(prog, firstRunnable);
    expect(r.result).toMatchObject({ status: 'violation', violation: { kind: 'assertion', fn: 'vnode_pager_alloc', line: 232 } });
  });
});

describe('runtime records what the checker needs', () => {
  it('records spawned threads, choices in steps and in setup, and tells onStep of a failing step', () => {
    const told: string[] = [];
    const prog: Program<null> = {
      name: 'records',
      setup(ctx) {
        const c = ctx.choose(2, 'setup coin');
        ctx.spawn('parent', function* () {
          yield { kind: 'spawn', label: 'spawn child', fp: [] };
          ctx.spawn('child', function* () {
            yield { kind: 'yield', label: 'child step', fp: [] };
            throw new KernelAssertion('KASSERT', 'child', `boom ${ctx.choose(3, 'in step')}`);
          });
        });
        void c;
        return null;
      },
    };
    const r = runExecution(prog, {
      pickThread: (ready) => ready[ready.length - 1]!.tid,
      pickChoice: (n) => n - 1,
      onStep: (rec) => told.push(rec.label),
    });
    expect(r.setupChoices).toEqual([1]);
    expect(r.steps.map((s) => s.label)).toEqual(['start', 'spawn child', 'start', 'child step']);
    expect(r.steps[1]!.spawned).toEqual([1]);
    expect(r.steps[3]!.choices).toEqual([2]);
    expect(told).toEqual(['start', 'spawn child', 'start', 'child step']);
    expect(r.result).toMatchObject({ status: 'violation', violation: { kind: 'assertion', message: 'boom 2', step: 3, tid: 1 } });
  });
});
