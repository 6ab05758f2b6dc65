/*
 * Nothing explored is not ok (issue 14, item 5): a run without a violation
 * that explored nothing or whose exhaustive search stopped early says so in
 * its result column and ends with EXIT_INCOMPLETE, not 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_INCOMPLETE, EXIT_OK } from './exit.ts';
import { memoryIo } from './io.ts';
import { main } from './main.ts';
import { resultText, stoppedEarly } from './summary.ts';
import type { RunResult } from './run.ts';

let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'pagercheck-exit-'))));
afterAll(() => void (dir && rmSync(dir, { recursive: true, force: true })));

const run = (over: Partial<RunResult>): RunResult =>
  ({ scenario: 's', variant: 'seed', strategy: 'dpor', executions: 10, steps: 100, cut: 0, complete: true, stopReason: 'exhausted', ms: 1, status: 'ok', violations: [], violated: [], unexpected: [], witnesses: [], traces: [], ...over }) as RunResult;

describe('the result column of a run that proved nothing', () => {
  it.each([
    [{}, 'ok', null],
    [{ executions: 0, complete: false, stopReason: 'time-budget' }, 'NOTHING EXPLORED (time budget)', 'time budget'],
    [{ executions: 0, complete: false, stopReason: 'aborted' }, 'NOTHING EXPLORED (interrupted)', 'interrupted'],
    [{ complete: false, stopReason: 'time-budget' }, 'ok so far (time budget)', 'time budget'],
    [{ complete: false, stopReason: 'max-executions' }, 'ok so far (max executions)', 'max executions'],
    [{ complete: false, stopReason: 'aborted' }, 'ok so far (interrupted)', 'interrupted'],
    [{ strategy: 'bounded(2)', complete: false, stopReason: 'max-executions' }, 'ok so far (max executions)', 'max executions'],
    // Sampling strategies end at their execution count: that is their whole run.
    [{ strategy: 'random(seed 0)', complete: false, stopReason: 'max-executions' }, 'ok', null],
    [{ strategy: 'pct(depth 3, seed 1)', complete: false, stopReason: 'time-budget' }, 'ok so far (time budget)', 'time budget'],
  ] as const)('%j', (over, text, why) => {
    const r = run(over as Partial<RunResult>);
    expect(resultText(r)).toBe(text);
    expect(stoppedEarly(r)?.why ?? null).toBe(why);
  });
});

describe('the exit code of a run that proved nothing', () => {
  it('explore stopped by --max-executions before DPOR ends: ok so far, exit 4; the same run to its end: ok, exit 0', async () => {
    const io = memoryIo();
    const code = await main(['explore', 'alloc-race', '--variant', 'repaired', '--no-spec', '--max-executions', '2', '--minimize', '0', '--out', join(dir, 'a')], io);
    expect(io.stdout).toMatch(/alloc-race\s+repaired\s+dpor\s+\d+\s+max executions\s+\S+ s\s+ok so far \(max executions\)/);
    expect(code).toBe(EXIT_INCOMPLETE);
    const whole = memoryIo();
    expect(await main(['explore', 'alloc-race', '--variant', 'repaired', '--no-spec', '--minimize', '0', '--out', join(dir, 'b')], whole)).toBe(EXIT_OK);
    expect(whole.stdout).toMatch(/complete\s+\S+ s\s+ok$/m);
  });

  it('the split search cut by its time budget says so on its outcome line and in its row, exit 4', async () => {
    const io = memoryIo();
    // 1 ms: hundreds of executions cannot run in it (the outcome, not a speed, is under test).
    const code = await main(['explore', 'overlapping-getpages', '--variant', 'repaired', '--no-spec', '--workers', '0', '--time-budget', '1ms', '--minimize', '0', '--out', join(dir, 'c')], io);
    expect(io.stdout).toMatch(/^overlapping-getpages on repaired: (ok so far|NOTHING EXPLORED); \d+ executions, .* not complete/);
    expect(io.stdout).toMatch(/time budget\s+\S+ s\s+(ok so far|NOTHING EXPLORED) \(time budget\)$/m);
    expect(code).toBe(EXIT_INCOMPLETE);
  });
});
