/*
 * Scale rows (checker/parallel.ts, checker/checkpoint.ts): wall time of the
 * split search of one catalog scenario on 1 and 2 worker threads, against
 * plain sequential DPOR, and the cost of checkpointing every second.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { explore } from '../checker/explore.ts';
import { exploreParallel } from '../checker/parallel.ts';
import { exploreCheckpointed } from '../checker/checkpoint.ts';
import { planTasks, resolveProgram, type ProgramRef } from '../checker/tasks.ts';
import { registerCustomBench } from './registry.ts';

const SCENARIO = 'sparse-file';
const ref: ProgramRef = { kind: 'scenario', scenario: SCENARIO };
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

registerCustomBench({
  name: `parallel ${SCENARIO}`,
  group: 'scale',
  async run() {
    const r = resolveProgram(ref);
    const seq = explore(r.program, { stopOnViolation: false });
    const tasks = planTasks(ref, { stopOnViolation: false });
    const one = await exploreParallel(ref, { workers: 1, tasks, stopOnViolation: false });
    const two = await exploreParallel(ref, { workers: 2, tasks, stopOnViolation: false });
    return {
      case: `parallel ${SCENARIO} (${tasks.length} tasks)`,
      'seq dpor exec': seq.stats.executions.toLocaleString('en-US'),
      'seq dpor': s(seq.stats.elapsedMs),
      'split exec': one.stats.executions.toLocaleString('en-US'),
      '1 worker': s(one.stats.elapsedMs),
      '2 workers': s(two.stats.elapsedMs),
      'speed-up 1->2': `${(one.stats.elapsedMs / two.stats.elapsedMs).toFixed(2)}x (target 1.8x)`,
      '2 workers vs seq': `${(seq.stats.elapsedMs / two.stats.elapsedMs).toFixed(2)}x`,
      cores: String(os.availableParallelism()),
    };
  },
});

registerCustomBench({
  name: `checkpoint ${SCENARIO}`,
  group: 'scale',
  async run() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagercheck-bench-'));
    const tasks = planTasks(ref, { stopOnViolation: false });
    // Same work both ways, in the calling thread (workers 0) so the writes compete with the search.
    const best = async (f: () => Promise<number>) => Math.min(await f(), await f());
    const none = await best(async () => (await exploreParallel(ref, { workers: 0, tasks, stopOnViolation: false })).stats.elapsedMs);
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
