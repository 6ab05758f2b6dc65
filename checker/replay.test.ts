import { describe, expect, it } from 'vitest';
import { explore } from './explore.ts';
import { parseCounterexample, replay, type Counterexample } from './counterexample.ts';
import { formatExecution } from './format.ts';
import { access, lockedCounters, lostUpdate, lostWakeup, publishBeforeInit } from './examples.ts';
import type { Program } from './runtime.ts';
import type { Ctx } from './op.ts';

function firstCounterexample<W>(p: Program<W>, opts: Parameters<typeof explore<W>>[1] = {}): Counterexample {
  let text = '';
  const o = explore(p, { ...opts, onExecution: (r) => r.result.status === 'violation' && text === '' && (text = formatExecution(r, p.name)) });
  if (o.status !== 'violation') throw new Error(`expected a violation, got ${o.status}`);
  const c = o.violations[0]!;
  return Object.assign(c, { rendered: text });
}

describe('counterexamples: plain data that replays', () => {
  it.each([
    ['lost update (dpor)', lostUpdate(), {}],
    ['lost wakeup (dpor)', lostWakeup(), {}],
    ['planted bug (pct)', publishBeforeInit(), { strategy: { kind: 'pct', depth: 2 } as const, seed: 7, maxExecutions: 2000 }],
  ] as const)('%s: serialized, loaded and replayed, gives identical output', (_name, prog, opts) => {
    const c = firstCounterexample(prog as Program<unknown>, opts);
    const rendered = (c as Counterexample & { rendered: string }).rendered;
    const json = JSON.stringify({ ...c, rendered: undefined });
    const loaded = parseCounterexample(json);
    expect(loaded.schedule.every((s) => typeof s.thread === 'string' && typeof s.label === 'string')).toBe(true);
    const r = replay(prog as Program<unknown>, loaded);
    expect(r.status).toBe('replayed');
    if (r.status !== 'replayed') return;
    expect(r.same).toBe(true);
    expect(r.preemptions).toBe(loaded.preemptions);
    expect(formatExecution(r.result, prog.name)).toBe(rendered);
  });

  it('records scenario, variant, strategy, bounds and the schedule as (thread, label) pairs', () => {
    const o = explore(lostUpdate(), { scenario: 'two-increments', variant: 'seed', maxSteps: 50 });
    expect(o.status).toBe('violation');
    if (o.status !== 'violation') return;
    const c = o.violations[0]!;
    expect(c).toMatchObject({ format: 'pagercheck-counterexample', version: 1, program: 'lost-update', scenario: 'two-increments', variant: 'seed', strategy: 'dpor', bounds: { maxSteps: 50 }, races: true });
    expect(c.schedule.map((s) => `${s.thread}: ${s.label}`)).toEqual(['A: start', 'A: read x', 'B: start', 'B: read x', 'B: write x', 'A: write x']);
    expect(c.preemptions).toBe(1);
  });

  it('replay on a program that changed stops at the first step that differs, saying what was expected', () => {
    const c = firstCounterexample(lostUpdate());
    const changed: Program<{ ctx: Ctx; x: number }> = {
      name: 'lost-update',
      setup(ctx) {
        const w = { ctx, x: 0 };
        for (const name of ['A', 'B'])
          ctx.spawn(name, function* () {
            yield access('x', false, true);
            yield access('y', true, true); // was "write x"
          });
        return w;
      },
    };
    const r = replay(changed, c);
    expect(r).toEqual({ status: 'diverged', step: 4, message: 'replay diverged at step 4: expected B to run "write x", but thread #1 is B about to run "write y"' });
  });

  it('replay of a schedule that runs past the end of the program, or stops short, diverges', () => {
    const c = firstCounterexample(lockedCounters(2), { races: false, stepCheck: (_r, i) => (i === 3 ? { kind: 'invariant', property: 'stop', message: 'stop', step: i } : null) });
    const longer = { ...c, schedule: [...c.schedule, { thread: 'T0', tid: 0, label: 'extra' }] };
    const r = replay(lockedCounters(2), longer, { stepCheck: (_r, i) => (i === 3 ? { kind: 'invariant', property: 'stop', message: 'stop', step: i } : null) });
    expect(r).toMatchObject({ status: 'diverged', step: 4, message: 'replay diverged at step 4: expected 5 steps, but the execution ended after 4 (a violation: invariant)' });
    const r2 = replay(lockedCounters(2), c);
    expect(r2.status).toBe('diverged');
    if (r2.status !== 'diverged') return;
    expect(r2.message).toMatch(/^replay diverged at step 4: expected the execution to end after 4 steps, but it goes on: /);
  });

  it('a bad counterexample file gets a one-line error naming the field', () => {
    expect(() => parseCounterexample('{')).toThrow(/^counterexample is not JSON: /);
    const c = firstCounterexample(lostUpdate());
    expect(() => parseCounterexample({ ...c, schedule: [{ thread: 'A', tid: -1, label: 'x' }] })).toThrow(/^bad counterexample at schedule\.0\.tid: /);
    expect(() => parseCounterexample({ ...c, version: 2 })).toThrow(/^bad counterexample at version: /);
  });
});
