import { describe, expect, it } from 'vitest';
import { exploreParallel, runTasks } from './parallel.ts';
import { BUNDLE_DIR, pruneBundles, workerBundle } from './bundle.ts';
import fs from 'node:fs';
import path from 'node:path';
import { mergeTaskResults } from './tasks.ts';
import { planTasks, resolveProgram } from './tasks.ts';
import { explore, type Outcome } from './explore.ts';
import { DporStrategy } from './strategies/dpor.ts';
import { violationKey } from './counterexample.ts';
import { mergeShards, parseShard, parseShardReport, runShard } from './shard.ts';
import type { ProgramRef } from './tasks.ts';
import { exampleRef } from './examples.ts';
import { scenarioRef } from '../traces/checked.ts';

const keys = (o: Outcome) => (o.status === 'ok' ? [] : o.violations.map((c) => violationKey(c.violation)));
const summary = (o: Outcome) => ({ status: o.status, executions: o.stats.executions, steps: o.stats.steps, cut: o.stats.cut, complete: o.stats.complete, keys: keys(o) });

const SCENARIO: ProgramRef = scenarioRef('alloc-race');
const EXAMPLE: ProgramRef = exampleRef('lockedCounters', 3);

describe('split search', () => {
  it('plans the same tasks every time, at least minTasks when the tree is big enough', async () => {
    const a = await planTasks(EXAMPLE, { minTasks: 8 });
    expect(a.length).toBeGreaterThanOrEqual(8);
    expect(await planTasks(EXAMPLE, { minTasks: 8 })).toEqual(a);
    expect(new Set(a.map((t) => t.prefix.join(','))).size).toBe(a.length);
  });

  it('finds exactly the violations of sequential DPOR, complete', async () => {
    for (const ref of [SCENARIO, exampleRef('lostUpdate', false)]) {
      const r = await resolveProgram(ref);
      const seq = explore(r.program, { stopOnViolation: false, ...(r.stepCheck ? { stepCheck: r.stepCheck } : {}) });
      const par = await exploreParallel(ref, { workers: 0, stopOnViolation: false });
      expect(par.stats.complete).toBe(true);
      expect(keys(par).sort()).toEqual(keys(seq).sort());
      expect(keys(par).length).toBeGreaterThan(0);
      // Sleep sets above the split (without them, 18x on alloc-race). The prefixes above the split are enumerated
      // modulo sleep sets, which do not gain what DPOR's commuting kinds, lock-aware races and refcount reduction gain
      // below it, so the split lies between DPOR with and without them (alloc-race: 11 <= 27 <= 98). Runs cut short by a violation
      // or a sleep set may differ in number, as the split explores in another order.
      const plain = explore(r.program, { stopOnViolation: false, strategy: new DporStrategy({ relation: 'plain', lockAware: false }), ...(r.stepCheck ? { stepCheck: r.stepCheck } : {}) });
      expect(keys(plain).sort()).toEqual(keys(seq).sort());
      expect(par.stats.executions).toBeLessThanOrEqual(Math.ceil(plain.stats.executions * 1.1));
      expect(par.stats.executions).toBeGreaterThanOrEqual(seq.stats.executions);
    }
  });

  it('rejects an unknown program, resolver or ref in one line', async () => {
    await expect(resolveProgram(exampleRef('nope'))).rejects.toThrow(/^unknown example program "nope"; accepted: /);
    await expect(resolveProgram({ resolver: 'checker/no-such-resolver.ts', data: null })).rejects.toThrow(/^program resolver checker\/no-such-resolver\.ts cannot be loaded \(.*\); accepted: a module exporting resolveProgram\(data\)/);
    await expect(resolveProgram({ resolver: 'checker/op.ts', data: null })).rejects.toThrow(/^program resolver checker\/op\.ts does not export resolveProgram\(data\)/);
    await expect(resolveProgram({ kind: 'example' } as never)).rejects.toThrow(/is not accepted: give \{ resolver, data \}$/);
  });
});

describe('parallel exploration', () => {
  it('merged outcome is the same for 1, 2 and 4 workers (catalog scenario and tiny example)', async () => {
    for (const ref of [SCENARIO, EXAMPLE]) {
      const tasks = await planTasks(ref, { stopOnViolation: false });
      const base = summary(await exploreParallel(ref, { workers: 0, tasks, stopOnViolation: false }));
      expect(base.complete).toBe(true);
      // workerStartMs 0: the workers start at once, even on a search this short.
      for (const workers of [1, 2, 4]) expect(summary(await exploreParallel(ref, { workers, tasks, stopOnViolation: false, workerStartMs: 0 }))).toEqual(base);
    }
  }, 60_000);

  it('worker threads start only once the calling thread has searched workerStartMs with tasks left', async () => {
    // C(18, 9) executions, a fraction of a second: with workerStartMs 0 a worker thread runs about a third of the tasks.
    const mid: ProgramRef = exampleRef('sharedWriters', 9);
    const tasks = await planTasks(mid, { stopOnViolation: false, races: false });
    const base = summary(await exploreParallel(mid, { workers: 0, tasks, stopOnViolation: false, races: false }));
    expect([base.executions, base.complete]).toEqual([48_620, true]);
    // A search far shorter than the delay: the calling thread runs every task, and the outcome is the same.
    const late = await runTasks(mid, { workers: 2, tasks, stopOnViolation: false, races: false, workerStartMs: 60_000 });
    expect(late.ranInWorkers).toBe(0);
    expect(summary(mergeTaskResults(late.results, { stopOnViolation: false }, late.elapsedMs))).toEqual(base);
    await expect(runTasks(EXAMPLE, { workers: 2, workerStartMs: -1 })).rejects.toThrow(/^workerStartMs -1 is not accepted: give a number of milliseconds >= 0$/);
  });

  it('worker threads alone (calling thread idle) give the same outcome, and they did run the tasks', async () => {
    const tasks = await planTasks(SCENARIO, { stopOnViolation: false });
    const base = summary(await exploreParallel(SCENARIO, { workers: 1, tasks, stopOnViolation: false }));
    const run = await runTasks(SCENARIO, { workers: 2, callingThread: false, tasks, stopOnViolation: false });
    expect(summary(mergeTaskResults(run.results, { stopOnViolation: false }, run.elapsedMs))).toEqual(base);
    expect(run.ranInWorkers).toBe(tasks.length);
    const alone = await runTasks(SCENARIO, { workers: 1, tasks, stopOnViolation: false });
    expect(alone.ranInWorkers).toBe(0);
  }, 60_000);

  it('a worker thread that fails before claiming is worked around (a warning); with no calling thread, the run fails', async () => {
    // A couple of seconds of search: the workers start (and fail) long before the calling thread is done.
    const big: ProgramRef = exampleRef('sharedWriters', 11);
    const tasks = await planTasks(big, { stopOnViolation: false, races: false });
    const warnings: string[] = [];
    const run = await runTasks(big, { workers: 3, tasks, stopOnViolation: false, races: false, workersFailBeforeClaiming: true, onWarning: (m) => warnings.push(m) });
    const merged = mergeTaskResults(run.results, { stopOnViolation: false }, run.elapsedMs);
    // Every Mazurkiewicz trace of two writers of 11 writes each, C(22, 11), once.
    expect([merged.stats.executions, merged.stats.complete]).toEqual([705_432, true]);
    expect(run.ranInWorkers).toBe(0);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^a worker thread failed before searching \(worker told to fail before claiming \(test\)\); the search goes on without it$/);
    await expect(runTasks(big, { workers: 1, callingThread: false, tasks, stopOnViolation: false, races: false, workersFailBeforeClaiming: true })).rejects.toThrow(/fail before claiming/);
  }, 180_000);

  it('an abort takes effect inside a task of the calling thread: the unfinished task is dropped, not merged', async () => {
    // One task of a search that takes a couple of seconds; the abort comes from a timer, which runs between slices.
    const big: ProgramRef = exampleRef('sharedWriters', 11);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const run = await runTasks(big, { workers: 1, minTasks: 1, stopOnViolation: false, races: false, signal: ctl.signal });
    expect(run.tasks).toHaveLength(1);
    expect(run.results).toEqual([undefined]);
  });

  it('without the bundle, workers load worker.mjs (tsx) and give the same outcome', async () => {
    const tasks = await planTasks(SCENARIO, { stopOnViolation: false });
    const base = summary(await exploreParallel(SCENARIO, { workers: 1, tasks, stopOnViolation: false }));
    process.env.PAGERCHECK_NO_BUNDLE = '1';
    try {
      const run = await runTasks(SCENARIO, { workers: 1, callingThread: false, tasks, stopOnViolation: false });
      expect(summary(mergeTaskResults(run.results, { stopOnViolation: false }, run.elapsedMs))).toEqual(base);
      expect(run.ranInWorkers).toBe(tasks.length);
    } finally {
      delete process.env.PAGERCHECK_NO_BUNDLE;
    }
  }, 60_000);

  it('workers load one content-addressed JavaScript bundle of worker.ts with the ref\'s resolver', async () => {
    const a = await workerBundle(SCENARIO.resolver);
    const b = await workerBundle(SCENARIO.resolver);
    if (!('file' in a)) throw new Error(`no bundle: ${a.error}`);
    expect(b).toEqual(a);
    expect(a.file).toMatch(/dist\/worker-traces-checked-[0-9a-f]{16}\.mjs$/);
    expect(await workerBundle('/elsewhere/resolver.ts')).toEqual({ error: 'resolver /elsewhere/resolver.ts is outside the project' });
    // One file: the worker and the resolver it registers (the program's classes are the worker's own).
    expect(fs.readFileSync(a.file, 'utf8')).toMatch(/registerResolver\("traces\/checked\.ts", /);
    // Bundles of other source versions go once untouched for an hour; recent ones and other files stay.
    const old = path.join(BUNDLE_DIR, 'worker-traces-checked-00000000000000aa.mjs');
    const recent = path.join(BUNDLE_DIR, 'worker-traces-checked-00000000000000bb.mjs');
    const other = path.join(BUNDLE_DIR, 'notes.txt');
    for (const f of [old, recent, other]) fs.writeFileSync(f, '');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(old, twoHoursAgo, twoHoursAgo);
    fs.utimesSync(other, twoHoursAgo, twoHoursAgo);
    pruneBundles(a.file);
    expect([fs.existsSync(old), fs.existsSync(recent), fs.existsSync(other), fs.existsSync(a.file)]).toEqual([false, true, true, true]);
    for (const f of [recent, other]) fs.rmSync(f);
  });

  it('stopping at the first violation is deterministic too: tasks up to the first violating one', async () => {
    const one = await exploreParallel(SCENARIO, { workers: 1 });
    const two = await exploreParallel(SCENARIO, { workers: 2 });
    expect(one.status).toBe('violation');
    expect(summary(two)).toEqual(summary(one));
    expect(one.stats.stopReason).toBe('violation');
  }, 30_000);
});

describe('sharding', () => {
  it('n shards merged equal the unsharded run', async () => {
    const whole = summary(await exploreParallel(SCENARIO, { workers: 0, stopOnViolation: false }));
    for (const n of [1, 3]) {
      const reports = [];
      for (let i = 0; i < n; i++) reports.push(parseShardReport(JSON.stringify(await runShard(SCENARIO, { index: i, count: n }, { workers: 0, stopOnViolation: false }))));
      expect(summary(mergeShards(reports.reverse()))).toEqual(whole);
    }
  });

  it('merge of a stop-at-first-violation search equals the unsharded one', async () => {
    const whole = summary(await exploreParallel(SCENARIO, { workers: 0 }));
    const reports = await Promise.all([0, 1].map((i) => runShard(SCENARIO, { index: i, count: 2 }, { workers: 0 })));
    expect(summary(mergeShards(reports))).toEqual(whole);
  });

  it('refuses missing, duplicated and foreign shards, and bad --shard text, in one line', async () => {
    const a = await runShard(EXAMPLE, { index: 0, count: 2 }, { workers: 0 });
    const b = await runShard(EXAMPLE, { index: 1, count: 2 }, { workers: 0 });
    const other = await runShard(EXAMPLE, { index: 1, count: 2 }, { workers: 0, maxSteps: 500 });
    expect(() => mergeShards([a])).toThrow(/^task 1 is in no shard report \(shard 1\/2 missing\?\)/);
    expect(() => mergeShards([a, b, b])).toThrow(/is in more than one shard report/);
    expect(() => mergeShards([a, other])).toThrow(/is of another search/);
    expect(() => parseShardReport('{"format":"x"}', 'a.json')).toThrow(/^a\.json is not a pagercheck shard report \(format: /);
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    for (const bad of ['5/5', '1', 'a/b', '-1/3']) expect(() => parseShard(bad)).toThrow(/is not accepted: give i\/n/);
  });
});
