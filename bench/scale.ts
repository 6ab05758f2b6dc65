/*
 * Scale rows (checker/parallel.ts, checker/checkpoint.ts): wall time of the
 * split search of the largest catalog scenario with 1 and 2 searching
 * threads (without and with spec conformance), the cost of checkpointing
 * every second, and the executions of the split search against sequential
 * DPOR (the redundancy above the split) on a few scenarios.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { explore } from '../checker/explore.ts';
import { exploreParallel } from '../checker/parallel.ts';
import { exploreCheckpointed } from '../checker/checkpoint.ts';
import { resolveProgram, type ProgramRef } from '../checker/tasks.ts';
import { registerCustomBench } from './registry.ts';

/** The catalog scenario with the most DPOR executions (19,686). */
const SCENARIO = 'overlapping-getpages';
const ref: ProgramRef = { kind: 'scenario', scenario: SCENARIO };
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface ChildRun {
  readonly wallMs: number;
  readonly busyMs: number;
  readonly executions: number;
  readonly tasks: number;
  readonly ranInWorkers: number;
}

const CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url));

function child(workers: number, mode: 'plain' | 'spec', program = SCENARIO): ChildRun {
  const out = execFileSync(process.execPath, [TSX, CHILD, program, String(workers), mode], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildRun;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/*
 * Each run in a fresh process, 1 and 2 workers alternating, REPS times; the
 * medians are compared (this machine's timings vary by 10% run to run).
 * "busy" is the sum of the tasks' own run times: how much more CPU the
 * same tasks take when two threads search at once (the second thread's JIT
 * warm-up, and contention while both compile).
 */
/*
 * The last row is a tiny example program of about the same search time: its
 * code is small, so the second thread's JIT warm-up is short and the
 * speed-up shows what the split, the claiming and the merge cost by
 * themselves.
 */
const ROWS = [
  { program: SCENARIO, mode: 'plain', label: SCENARIO },
  { program: SCENARIO, mode: 'spec', label: `${SCENARIO} + spec conformance (CLI default)` },
  { program: 'example:sharedWriters:12', mode: 'plain', label: 'example sharedWriters(12)' },
] as const;

for (const row of ROWS) {
  const mode = row.mode;
  registerCustomBench({
    name: `parallel ${row.program} ${mode}`,
    group: 'scale',
    async run() {
      const reps = Number(process.env.PAGERCHECK_BENCH_REPS ?? 3);
      const one: ChildRun[] = [];
      const two: ChildRun[] = [];
      for (let i = 0; i < reps; i++) {
        one.push(child(1, mode, row.program));
        two.push(child(2, mode, row.program));
      }
      const execs = new Set([...one, ...two].map((r) => r.executions));
      const w1 = median(one.map((r) => r.wallMs));
      const w2 = median(two.map((r) => r.wallMs));
      return {
        case: `${row.label} (${one[0]!.tasks} tasks)`,
        executions: execs.size === 1 ? [...execs][0]!.toLocaleString('en-US') : `differ: ${[...execs].join(', ')}`,
        '1 worker': s(w1),
        '2 workers': s(w2),
        'speed-up 1->2': `${(w1 / w2).toFixed(2)}x (target 1.8x)`,
        'busy 1w / 2w': `${s(median(one.map((r) => r.busyMs)))} / ${s(median(two.map((r) => r.busyMs)))}`,
        'tasks run by the worker thread': String(median(two.map((r) => r.ranInWorkers))),
        runs: `median of ${reps}, fresh processes`,
        cores: String(os.availableParallelism()),
      };
    },
  });
}

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
