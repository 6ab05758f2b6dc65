import { describe, expect, it } from 'vitest';
import { DEFAULT_RANDOM_PHASE, randomPhaseOf, runScenario, runScenarioAsync } from './run.ts';
import { catalogScenario } from './catalog.ts';
import { allocRaceScenario } from '../bench/pager.ts';
import { scenarioRef } from '../traces/checked.ts';

const NORECHECK = 'mut-alloc-no-interlock-recheck';

describe('the random phase before an exhaustive search (issue 15 item 5)', () => {
  it('finds the re-check bug at 5 creators in its first executions, where DPOR alone needs many more', () => {
    const s = allocRaceScenario(5);
    const phased = runScenario({ scenario: s, variant: NORECHECK, first: true });
    expect(phased.violated).toEqual(['one-live-object-per-vnode']);
    expect(phased.executions).toBeLessThanOrEqual(2);
    expect(phased.randomPhase).toBe(phased.executions);
    expect(['random', 'pct']).toContain(phased.violations[0]!.strategy);
    const alone = runScenario({ scenario: s, variant: NORECHECK, first: true, bounds: { randomPhase: 0 } });
    expect(alone.violated).toEqual(['one-live-object-per-vnode']);
    expect(alone.randomPhase).toBe(0);
    expect(alone.violations[0]!.strategy).toBe('dpor');
    expect(alone.executions).toBeGreaterThan(10 * phased.executions);
  });

  it('leaves the exhaustive search whole: the same completion and findings, its executions plus the phase', () => {
    for (const [name, variant] of [
      ['alloc-race', 'seed'],
      ['io-errors', 'seed'],
      ['getpages-async-small-block', 'seed'],
    ] as const) {
      const s = catalogScenario(name);
      const alone = runScenario({ scenario: s, variant, bounds: { randomPhase: 0 } });
      const phased = runScenario({ scenario: s, variant });
      expect(phased.complete).toBe(true);
      expect(alone.complete).toBe(true);
      expect(phased.randomPhase).toBe(DEFAULT_RANDOM_PHASE);
      expect(phased.executions).toBe(alone.executions + DEFAULT_RANDOM_PHASE);
      expect(phased.violated).toEqual(alone.violated);
      expect(phased.strategy).toBe('dpor');
    }
  });

  it('is deterministic: the same seed gives the same schedules, another seed others', () => {
    const s = allocRaceScenario(4);
    const run = (seed: number) => runScenario({ scenario: s, variant: NORECHECK, first: true, bounds: { seed } });
    const a = run(0);
    expect(run(0).violations.map((c) => c.schedule)).toEqual(a.violations.map((c) => c.schedule));
    const seeds = [1, 2, 3, 4].map((k) => JSON.stringify(run(k).violations[0]?.schedule));
    expect(new Set([JSON.stringify(a.violations[0]?.schedule), ...seeds]).size).toBeGreaterThan(1);
  });

  it('runs before dpor and dfs only; asked for before another strategy it is refused in one line', () => {
    const s = catalogScenario('io-errors');
    expect(randomPhaseOf(s)).toBe(DEFAULT_RANDOM_PHASE);
    expect(randomPhaseOf(s, { strategy: 'dfs', randomPhase: 3 })).toBe(3);
    expect(randomPhaseOf(s, { strategy: 'pct' })).toBe(0);
    // A scenario whose own preemption bound picks bounded search gets none, silently.
    expect(randomPhaseOf(catalogScenario('overlapping-getpages'))).toBe(0);
    for (const b of [{ strategy: 'bounded', randomPhase: 8 }, { preemptions: 1, randomPhase: 8 }, { strategy: 'random', randomPhase: 1 }] as const) {
      expect(() => randomPhaseOf(s, b)).toThrow(RangeError);
      try {
        randomPhaseOf(s, b);
      } catch (e) {
        expect((e as Error).message).toMatch(/^--random-phase runs before dpor or dfs, not .*; accepted: /);
        expect((e as Error).message).not.toContain('\n');
      }
    }
    expect(randomPhaseOf(s, { strategy: 'bounded', randomPhase: 0 })).toBe(0);
  });

  it('runs before the split search when asked (not by default: its outcome must not depend on the split), counted, its findings merged with the tasks', async () => {
    const s = catalogScenario('io-errors');
    const split = { ref: scenarioRef('io-errors', 'seed'), workers: 0, minTasks: 4 };
    expect(randomPhaseOf(s, {}, true)).toBe(0);
    const alone = await runScenarioAsync({ scenario: s, variant: 'seed', split });
    expect(alone.randomPhase).toBe(0);
    const phased = await runScenarioAsync({ scenario: s, variant: 'seed', bounds: { randomPhase: DEFAULT_RANDOM_PHASE }, split });
    expect(alone.complete).toBe(true);
    expect(phased.complete).toBe(true);
    expect(phased.randomPhase).toBe(DEFAULT_RANDOM_PHASE);
    expect(phased.executions).toBe(alone.executions + DEFAULT_RANDOM_PHASE);
    expect(phased.violated).toEqual(alone.violated);
    expect(phased.violations).toHaveLength(alone.violations.length);
    // Stopping at the first violation: the phase's own, before any task.
    const first = await runScenarioAsync({ scenario: s, variant: 'seed', split, first: true, bounds: { randomPhase: DEFAULT_RANDOM_PHASE } });
    expect(first.violated).toEqual(['valid-data-is-file-data']);
    expect(first.executions).toBeLessThanOrEqual(DEFAULT_RANDOM_PHASE);
  });
});
