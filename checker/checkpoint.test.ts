import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exploreCheckpointed, readCheckpoint, verifyCheckpoint } from './checkpoint.ts';
import { contentHash, tasksHash } from './integrity.ts';
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

/* Files edited after the fact: each refused in one line, before the search (issue 14). */
describe('an edited checkpoint is refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagercheck-cp-edit-'));
  const file = path.join(dir, 'cp.json');
  const ref = exampleRef('sharedWriters', 2, 2);
  type Raw = { tasks: { prefix: number[]; sleep: { tid: number; fp: unknown[] }[] }[]; done: { executions: number }[]; planHash: string; hash: string; ref: { resolver: string } };
  let edits = 0;
  const load = () => JSON.parse(fs.readFileSync(file, 'utf8')) as Raw;
  /* Writes the edit with its hashes made to agree, as a user fixing them up would. */
  const rehash = (raw: Raw, plan = true) => {
    if (plan) raw.planHash = tasksHash(raw.tasks as never);
    const { hash: _h, ...rest } = raw;
    raw.hash = contentHash(rest);
    const f = path.join(dir, `edited-${++edits}.json`);
    fs.writeFileSync(f, JSON.stringify(raw));
    return f;
  };
  const write = (raw: Raw) => {
    const f = path.join(dir, `edited-${++edits}.json`);
    fs.writeFileSync(f, JSON.stringify(raw));
    return f;
  };

  it('writes a checkpoint to edit', async () => {
    let n = 0;
    const ctl = new AbortController();
    await exploreCheckpointed(ref, { file, workers: 0, minTasks: 6, stopOnViolation: false, handleSignals: false, signal: ctl.signal, onResult: () => void (++n === 2 && ctl.abort()) });
    const raw = load();
    expect(raw.done.length).toBe(2);
    expect(raw.tasks.length).toBeGreaterThan(3);
    await verifyCheckpoint(readCheckpoint(file), file);
  });

  it('executions: 999999 (the hash no longer matches)', () => {
    const raw = load();
    raw.done[0]!.executions = 999999;
    const f = write(raw);
    expect(() => readCheckpoint(f)).toThrow(/^checkpoint .*: hash does not match its content \(edited, damaged or truncated\): give the checkpoint as explore wrote it$/);
  });

  it('an edited sleep set, even with its hashes made to agree (the plan is computed again)', async () => {
    const raw = load();
    const i = raw.tasks.length - 1;
    raw.tasks[i]!.sleep = raw.tasks[i]!.sleep.length > 0 ? [] : [{ tid: 0, fp: [{ res: 'x', write: true }] }];
    const f = rehash(raw);
    await expect(verifyCheckpoint(readCheckpoint(f), f)).rejects.toThrow(new RegExp(`tasks\\[${i}\\]\\.sleep is not the plan's sleep set`));
    raw.planHash = 'f'.repeat(64);
    const g = rehash(raw, false);
    expect(() => readCheckpoint(g)).toThrow(/tasks do not match its planHash/);
  });

  it('a duplicated task, with its hashes made to agree', async () => {
    const raw = load();
    raw.tasks.splice(1, 0, structuredClone(raw.tasks[1]!));
    const f = rehash(raw);
    await expect(verifyCheckpoint(readCheckpoint(f), f)).rejects.toThrow(/tasks: the file claims \d+ tasks, its search has \d+ on this code/);
  });

  it('a resolver module outside the list is refused, never imported', () => {
    const marker = path.join(dir, 'imported');
    const evil = path.join(dir, 'evil.mjs');
    fs.writeFileSync(evil, `import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(marker)}, 'x'); export function resolveProgram() { throw new Error('no'); }`);
    const raw = load();
    raw.ref.resolver = evil;
    const f = rehash(raw);
    expect(() => readCheckpoint(f)).toThrow(/ref\.resolver: .* is not a program resolver files may name; accepted: checker\/examples\.ts, traces\/checked\.ts/);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('resuming with another option names it; the options not given come from the file', async () => {
    await expect(exploreCheckpointed(ref, { resume: file, file: path.join(dir, 'x.json'), maxSteps: 50, workers: 0, handleSignals: false })).rejects.toThrow(/was written with maxSteps 10000, not 50: resume without that option/);
    await expect(exploreCheckpointed(ref, { resume: file, file: path.join(dir, 'x.json'), stopOnViolation: true, workers: 0, handleSignals: false })).rejects.toThrow(/was written with stopOnViolation false, not true/);
    const resumed = await exploreCheckpointed(null, { resume: file, file: path.join(dir, 'y.json'), workers: 0, handleSignals: false });
    const whole = await exploreParallel(ref, { workers: 0, minTasks: 6, stopOnViolation: false });
    expect(resumed.resumedTasks).toBe(2);
    expect(summary(resumed)).toEqual(summary(whole));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
