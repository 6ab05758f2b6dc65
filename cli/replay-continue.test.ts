/*
 * replay --continue (issue 14, item 6): a schedule whose label changed in the
 * middle is followed up to that step, named with what was expected and what
 * was found, and DPOR explores on below the steps that fit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo } from './io.ts';
import { main } from './main.ts';

const FINDING = join(import.meta.dirname, '..', 'traces', 'findings', 'alloc-attaches-to-reclaimed-vnode.json');
type Cex = { schedule: { thread: string; label: string }[]; violation: unknown };

let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'pagercheck-continue-'))));
afterAll(() => void (dir && rmSync(dir, { recursive: true, force: true })));

async function run(...argv: string[]) {
  const io = memoryIo();
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

/* The finding with the label of step `at` edited, as a bare counterexample or inside a full trace. */
function edited(at: number, full: boolean, trace?: string): { file: string; was: string; thread: string } {
  const cex = JSON.parse(readFileSync(FINDING, 'utf8')) as Cex;
  const step = cex.schedule[at]!;
  const was = step.label;
  const file = join(dir, `edited-${at}${full ? '.trace' : ''}.json`);
  if (full) {
    const t = JSON.parse(trace!) as { counterexample: Cex };
    t.counterexample.schedule[at]!.label = 'renamed_in_this_version()';
    writeFileSync(file, JSON.stringify(t));
  } else {
    step.label = 'renamed_in_this_version()';
    writeFileSync(file, JSON.stringify(cex));
  }
  return { file, was, thread: step.thread };
}

describe('replay --continue', () => {
  it('a bare counterexample with a label edited in the middle: where it diverged, then DPOR finds the violation below', async () => {
    const at = 17;
    const e = edited(at, false);
    expect((await run('replay', e.file)).code).toBe(2);
    const r = await run('replay', e.file, '--continue', '--minimize', '0');
    const lines = r.err.trim().split('\n');
    expect(lines[0]).toBe(
      `pagercheck: ${e.file}: the schedule no longer fits at step ${at}: expected ${e.thread} to run "renamed_in_this_version()", but thread #${lines[0]!.match(/thread #(\d+)/)![1]} is ${e.thread} about to run "${e.was}"; explored on with DPOR below the ${at} steps that fit`,
    );
    expect(lines[1]).toMatch(new RegExp(`^pagercheck: found (.+) after \\d+ executions? below step ${at}: the recorded violation; re-pin with: pagercheck replay .* --continue --render json > NEW$`));
    expect(r.code).toBe(1);
    // The counterexample found, rendered as replay renders: its header names the violation.
    expect(r.out).toMatch(/^unlocked-alloc-vs-vgone on seed: /);
  });

  it('a full trace file edited the same way, re-pinned with --render json, replays plainly again', async () => {
    const whole = await run('replay', FINDING, '--render', 'json');
    expect(whole.code).toBe(1);
    const e = edited(5, true, whole.out);
    const r = await run('replay', e.file, '--continue', '--render', 'json', '--minimize', '0');
    expect(r.err).toMatch(/no longer fits at step 5: expected .*"renamed_in_this_version\(\)", but .* about to run /);
    expect(r.code).toBe(1);
    const repinned = join(dir, 'repinned.trace.json');
    writeFileSync(repinned, r.out);
    const again = await run('replay', repinned);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/the same violation .*; every step as recorded/);
  });

  it('a schedule that fits is replayed as recorded', async () => {
    const r = await run('replay', FINDING, '--continue');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the schedule fits the code: replayed as recorded, nothing to continue\npagercheck: replayed .*: the same violation/);
  });

  it('a step bound out of range in the file is bad input, not a harness error (found by the fuzzer)', async () => {
    const cex = JSON.parse(readFileSync(FINDING, 'utf8')) as Cex & { bounds: Record<string, number> };
    cex.schedule[5]!.label = 'renamed_in_this_version()';
    cex.bounds['maxSteps'] = 0;
    const f = join(dir, 'max-steps-0.json');
    writeFileSync(f, JSON.stringify(cex));
    const r = await run('replay', f, '--continue');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`pagercheck: ${f}: counterexample.bounds.maxSteps: 0 is out of range; accepted: a whole number from 1 to 1000000\n`);
  });

  it('its search options without --continue are refused in one line', async () => {
    const r = await run('replay', FINDING, '--time-budget', '5s');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/--time-budget bounds the search of replay --continue/);
  });
});
