import { describe, expect, it } from 'vitest';
import { explore } from './explore.ts';
import { minimize } from './minimize.ts';
import { replay, violationKey, type Counterexample } from './counterexample.ts';
import { lostUpdate, lostWakeup, publishBeforeInit } from './examples.ts';
import type { Program } from './runtime.ts';

function found<W>(p: Program<W>, opts: Parameters<typeof explore<W>>[1]): Counterexample {
  const o = explore(p, opts);
  if (o.status !== 'violation') throw new Error(`expected a violation, got ${o.status}`);
  return o.violations[0]!;
}

describe('minimization', () => {
  // By hand: the writer must publish `ready` (start, 6 noise steps, ready = 8
  // steps), then be preempted while the reader starts, sees ready and reads
  // data (3 steps). One preemption, two threads, 11 steps is the minimum.
  const MIN = { preemptions: 1, threads: 2, steps: 11 };

  it('shrinks a random-walk counterexample to the fewest preemptions, threads and steps', () => {
    const p = publishBeforeInit();
    const c = found(p, { strategy: { kind: 'random' }, seed: 3, maxExecutions: 5000 });
    expect(c.preemptions).toBeGreaterThan(1);
    const m = minimize(p, c);
    expect(m.before).toEqual({ preemptions: c.preemptions, threads: 3, steps: c.schedule.length });
    expect(m.after).toEqual(MIN);
    expect(m.counterexample.strategy).toBe('random+minimized');
    expect(m.counterexample.schedule.map((s) => `${s.thread}: ${s.label}`)).toEqual([
      'writer: start',
      ...[0, 1, 2, 3, 4, 5].map((i) => `writer: write w${i}`),
      'writer: write ready',
      'reader: start',
      'reader: read ready',
      'reader: read data',
    ]);
    const r = replay(p, m.counterexample);
    expect(r.status === 'replayed' && r.same).toBe(true);
    expect(r.status === 'replayed' && violationKey(r.result.result.status === 'violation' ? r.result.result.violation : (null as never))).toBe(violationKey(c.violation));
  });

  it('drops a thread through the hook, and the result replays on the reduced program', () => {
    const p = publishBeforeInit();
    const c = found(p, { strategy: { kind: 'random' }, seed: 3, maxExecutions: 5000 });
    const withoutThreads = (names: readonly string[]) => (names.every((n) => n === 'noise') ? publishBeforeInit(6, names) : null);
    const m = minimize(p, c, { withoutThreads });
    expect(m.counterexample.dropped).toEqual(['noise']);
    expect(m.counterexample.program).toBe('publish-before-init(noise=6, without noise)');
    expect(m.after).toEqual(MIN);
    expect(replay(p, m.counterexample).status).toBe('diverged');
    const r = replay(p, m.counterexample, { withoutThreads });
    expect(r.status === 'replayed' && r.same).toBe(true);
  });

  it('keeps a counterexample that is already minimal, and handles deadlocks', () => {
    const c = found(lostUpdate(), {});
    const m = minimize(lostUpdate(), c);
    expect(m.after).toEqual({ preemptions: 1, threads: 2, steps: 6 });
    const d = found(lostWakeup(), { strategy: { kind: 'random' }, seed: 5, maxExecutions: 100 });
    const md = minimize(lostWakeup(), d);
    expect(md.counterexample.violation.kind).toBe('deadlock');
    // The waker runs first (start, wakeup: lost), then the sleeper (start, lock, sleep) blocks for good: no preemption.
    expect(md.after).toEqual({ preemptions: 0, threads: 2, steps: 5 });
  });
});
