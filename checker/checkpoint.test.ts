import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exploreCheckpointed, readCheckpoint } from './checkpoint.ts';
import { exploreParallel } from './parallel.ts';
import { violationKey } from './counterexample.ts';
import type { Outcome } from './explore.ts';
import { exampleRef } from './examples.ts';
import { scenarioRef } from '../traces/checked.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const keys = (o: Outcome) => (o.status === 'ok' ? [] : o.violations.map((c) => violationKey(c.violation)));
const summary = (o: Outcome) => ({ status: o.status, executions: o.stats.executions, steps: o.stats.steps, cut: o.stats.cut, complete: o.stats.complete, keys: keys(o) });

function doneTasks(file: string): number {
  try {
    return readCheckpoint(file).done.length;
  } catch {
    return -1;
  }
}

describe('checkpoint and resume', () => {
  it('a run killed mid-way (SIGKILL) and resumed ends with the executions and violations of an uninterrupted run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagercheck-cp-'));
    const file = path.join(dir, 'run.checkpoint.json');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'checkpoint.fixture.ts'), file], { stdio: 'ignore' });
    const exited = new Promise<void>((res) => child.on('exit', () => res()));
    const t0 = performance.now();
    while (doneTasks(file) < 5 && performance.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    const cp = readCheckpoint(file);
    expect(cp.done.length).toBeGreaterThanOrEqual(5);
    expect(cp.done.length).toBeLessThan(cp.tasks.length); // killed mid-way, not after the end
    const resumed = await exploreCheckpointed(null, { resume: file, file, workers: 0, handleSignals: false });
    expect(resumed.resumedTasks).toBe(cp.done.length);
    const whole = await exploreParallel(exampleRef('sharedWriters', 3, 3), { workers: 0, stopOnViolation: false });
    expect(summary(resumed)).toEqual(summary(whole));
    expect(readCheckpoint(file).done.length).toBe(cp.tasks.length);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('resuming with a collect-all search with violations keeps them all', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagercheck-cp-'));
    const file = path.join(dir, 'cp.json');
    const ref = scenarioRef('alloc-race');
    let n = 0;
    const ctl = new AbortController();
    const first = await exploreCheckpointed(ref, { file, workers: 0, stopOnViolation: false, handleSignals: false, signal: ctl.signal, onResult: () => void (++n === 7 && ctl.abort()) });
    expect(first.stats.complete).toBe(false);
    const resumed = await exploreCheckpointed(ref, { resume: file, file, workers: 0, stopOnViolation: false, handleSignals: false });
    const whole = await exploreParallel(ref, { workers: 0, stopOnViolation: false });
    expect(resumed.resumedTasks).toBe(7);
    expect(summary(resumed)).toEqual(summary(whole));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a bad file and a checkpoint of another search in one line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagercheck-cp-'));
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"format":"pagercheck-checkpoint","version":99}');
    expect(() => readCheckpoint(bad)).toThrow(/^checkpoint .*bad\.json is not a pagercheck checkpoint \(version: .*\): give a file written by explore --checkpoint FILE$/);
    fs.writeFileSync(bad, 'nope');
    expect(() => readCheckpoint(bad)).toThrow(/is not JSON/);
    expect(() => readCheckpoint(path.join(dir, 'missing.json'))).toThrow(/^cannot read checkpoint .*ENOENT/);
    const file = path.join(dir, 'cp.json');
    await exploreCheckpointed(exampleRef('lostWakeup'), { file, workers: 0, handleSignals: false });
    await expect(exploreCheckpointed(exampleRef('lostUpdate'), { resume: file, file, workers: 0, handleSignals: false })).rejects.toThrow(/is of another search/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
