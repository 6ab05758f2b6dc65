/*
 * Scale rows (checker/parallel.ts, checker/checkpoint.ts): wall time of the
 * split search of the largest catalog scenario on 1 and 2 worker threads,
 * against plain sequential DPOR, and the cost of checkpointing every second;
 * and the executions of the split search against sequential DPOR (the
 * redundancy above the split) on a few scenarios.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { explore } from '../checker/explore.ts';
import { exploreParallel } from '../checker/parallel.ts';
import { exploreCheckpointed } from '../checker/checkpoint.ts';
import { planTasks, resolveProgram, type ProgramRef } from '../checker/tasks.ts';
import { registerCustomBench } from './registry.ts';

/** The catalog scenario with the most DPOR executions (19,686). */
const SCENARIO = 'overlapping-getpages';
const ref: ProgramRef = { kind: 'scenario', scenario: SCENARIO };
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

registerCustomBench({
  name: `parallel ${SCENARIO}`,
  group: 'scale',
  async run() {
    const r = resolveProgram(ref);
    const seq = explore(r.program, { stopOnViolation: false });
    const tasks = planTasks(ref, { stopOnViolation: false });
    // Sum of the tasks' own run times: how much slower each task runs when two run at once.
    let busy1 = 0;
    let busy2 = 0;
    const one = await exploreParallel(ref, { workers: 1, tasks, stopOnViolation: false, onResult: (r) => (busy1 += r.elapsedMs) });
    const two = await exploreParallel(ref, { workers: 2, tasks, stopOnViolation: false, onResult: (r) => (busy2 += r.elapsedMs) });
    return {
      case: `parallel ${SCENARIO} (${tasks.length} tasks)`,
      'seq dpor exec': seq.stats.executions.toLocaleString('en-US'),
      'seq dpor': s(seq.stats.elapsedMs),
      'split exec': one.stats.executions.toLocaleString('en-US'),
      '1 worker': s(one.stats.elapsedMs),
      '2 workers': s(two.stats.elapsedMs),
      'speed-up 1->2': `${(one.stats.elapsedMs / two.stats.elapsedMs).toFixed(2)}x (target 1.8x)`,
      '2 workers vs seq': `${(seq.stats.elapsedMs / two.stats.elapsedMs).toFixed(2)}x`,
      'task time 1w / 2w': `${s(busy1)} / ${s(busy2)}`,
      cores: String(os.availableParallelism()),
    };
  },
});

registerCustomBench({
  name: `checkpoint ${SCENARIO}`,
  group: 'scale',
  async run() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagercheck-bench-'));
    // Same work both ways (planning included), in the calling thread (workers 0) so the writes compete with the search.
    const best = async (f: () => Promise<number>) => Math.min(await f(), await f());
    const none = await best(async () => {
      const t0 = performance.now();
      await exploreParallel(ref, { workers: 0, stopOnViolation: false });
      return performance.now() - t0;
    });
    const every1s = await best(async () => {
      const t0 = performance.now();
      await exploreCheckpointed(ref, { file: path.join(dir, 'cp.json'), intervalMs: 1000, workers: 0, stopOnViolation: false, handleSignals: false });
      return performance.now() - t0;
    });
    fs.rmSync(dir, { recursive: true, force: true });
    return {
      case: `checkpoint ${SCENARIO} every 1 s`,
      'no checkpoint': s(none),
      'checkpoint 1 s': s(every1s),
      cost: `${(((every1s - none) / none) * 100).toFixed(1)}% (target <= 5%)`,
    };
  },
});

registerCustomBench({
  name: 'split redundancy',
  group: 'scale',
  async run() {
    const rows: string[] = [];
    for (const scenario of ['sparse-file', 'alloc-race', 'readbehind-alloc-failure']) {
      const r: ProgramRef = { kind: 'scenario', scenario };
      const p = resolveProgram(r);
      const seq = explore(p.program, { stopOnViolation: false, ...(p.stepCheck ? { stepCheck: p.stepCheck } : {}) });
      const split = await exploreParallel(r, { workers: 0, stopOnViolation: false });
      rows.push(`${scenario} ${split.stats.executions.toLocaleString('en-US')}/${seq.stats.executions.toLocaleString('en-US')} (${split.tasks} tasks)`);
    }
    return { case: 'split executions / sequential DPOR executions', scenarios: rows.join('; ') };
  },
});
