import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeTaskProgress, progressLine, taskProgressLine } from './progress.ts';
import { memoryIo } from './io.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('split search progress', () => {
  it('says tasks done of planned, executions, rate, elapsed and violations', () => {
    expect(taskProgressLine('og on seed', { tasksDone: 12, tasksTotal: 39, executions: 12318, violations: 0, elapsedMs: 6100 })).toBe(
      'og on seed: 12/39 tasks, 12,318 executions, 2,019/s, 6.1 s elapsed',
    );
    expect(taskProgressLine('x', { tasksDone: 1, tasksTotal: 2, executions: 10, violations: 1, elapsedMs: 1000 })).toMatch(/, 1 violation so far$/);
  });

  it('prints once a second while the search runs, nothing before the first second or after the end', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const io = memoryIo();
    const p = makeTaskProgress(io, 'og');
    p.update({ tasksDone: 0, tasksTotal: 4, executions: 0, violations: 0 });
    vi.advanceTimersByTime(999);
    expect(io.stderr).toBe('');
    p.update({ tasksDone: 1, tasksTotal: 4, executions: 50, violations: 0 });
    vi.advanceTimersByTime(1);
    expect(io.stderr).toBe('pagercheck: og: 1/4 tasks, 50 executions, 50/s, 1.0 s elapsed\n');
    vi.advanceTimersByTime(1000);
    expect(io.stderr.trim().split('\n')).toHaveLength(2);
    p.end();
    vi.advanceTimersByTime(5000);
    expect(io.stderr.trim().split('\n')).toHaveLength(2);
  });
});

describe('exploration progress', () => {
  const base = { executions: 31_400_000, steps: 0, elapsedMs: 1_500_000, executionsPerSec: 20_933, stepsPerSec: 0, violations: 0 };
  it('gives a lower bound on what is left, never a share explored', () => {
    const line = progressLine('alloc-race-3@seed', { ...base, remainingAtLeast: 41, fractionAtMost: 0.99999 });
    expect(line).toBe('alloc-race-3@seed: 31,400,000 executions, 20,933/s, 25 min 00 s elapsed, share explored unknown, at least 41 executions to go');
    expect(line).not.toMatch(/%/);
    expect(progressLine('x', base)).toBe('x: 31,400,000 executions, 20,933/s, 25 min 00 s elapsed');
  });
});
