/*
 * Scale rows (checker/parallel.ts, checker/checkpoint.ts): wall time of the
 * split search of the largest catalog scenario with 1 and 2 searching
 * threads (without and with spec conformance), the cost of checkpointing
 * every second, and the executions of the split search against sequential
 * DPOR (the redundancy above the split) on a few scenarios. The "parallel
 * work" rows (issue 15 item 4) give what load does not change: the task
 * list's bound on 2 threads and CPU time of 1 and 2 searching threads, on the
 * largest catalog scenario and on alloc-race-4 (each run of the race is
 * ~50 s of CPU: `npm run bench -- "parallel work"` takes ~5 min idle).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { explore } from '../checker/explore.ts';
import { exploreParallel } from '../checker/parallel.ts';
import { exploreCheckpointed } from '../checker/checkpoint.ts';
import { registerResolver, resolveProgram, type ProgramRef } from '../checker/tasks.ts';
import * as pager from '../traces/checked.ts';
import { registerCustomBench } from './registry.ts';

// This file runs bundled: the pager's resolver is registered rather than imported at run time.
registerResolver(pager.SCENARIO_RESOLVER, pager);
const { scenarioRef } = pager;

/**
 * The catalog scenario with the most DPOR work (executions x steps) among those that complete in seconds:
 * 4,920 executions, 282,742 steps with critical sections merged (19,686 executions before). alloc-race-4 is
 * larger (over 300,000 executions) and has rows of its own (RACE).
 */
const SCENARIO = 'overlapping-getpages';
/** The allocation race with 4 creators (issue 15 item 4). */
const RACE = 'alloc-race-4';
/** minTasks of the race's row; undefined: the default (measured: see WORK_ROWS). */
const RACE_MIN_TASKS: number | undefined = undefined;
const ref: ProgramRef = scenarioRef(SCENARIO);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface ChildRun {
  /** Whole command, process start to exit. */
  readonly wallMs: number;
  /** The search, as the command reports it (0.1 s resolution). */
  readonly searchMs: number;
  readonly executions: number;
  readonly tasks: number;
}

const BIN = fileURLToPath(new URL('../cli/bin.mjs', import.meta.url));

/** `pagercheck explore PROGRAM --workers N` in a process of its own, as a user runs it (the bundled CLI). */
function child(workers: number, mode: 'plain' | 'spec', program: string, out: string): ChildRun {
  const args = [BIN, 'explore', program, '--workers', String(workers), '--out', out, ...(mode === 'plain' ? ['--no-spec'] : [])];
  const t0 = performance.now();
  let text: string;
  try {
    text = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    // Exit 1 (a violation was found) still prints the outcome.
    text = String((e as { stdout?: unknown }).stdout ?? '');
  }
  const wallMs = performance.now() - t0;
  const m = /: (?:ok|violation); (\d+) executions, \d+ steps, (\d+) tasks, complete, ([\d.]+) s/.exec(text);
  if (!m) throw new Error(`no outcome line from pagercheck ${args.slice(1).join(' ')}: ${text.slice(0, 200)}`);
  return { wallMs, searchMs: Number(m[3]) * 1000, executions: Number(m[1]), tasks: Number(m[2]) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/*
 * Each run is the command a user types, in a fresh process, 1 and 2
 * workers alternating, REPS times; medians compared (this machine's timings
 * vary by 10% run to run). The example program is a few small functions, so
 * the second thread's JIT compilation is short: it shows what the split,
 * the claiming and the merge cost by themselves.
 */
const ROWS = [
  { program: SCENARIO, mode: 'plain', label: `${SCENARIO} --no-spec` },
  { program: SCENARIO, mode: 'spec', label: `${SCENARIO} (spec conformance, the default)` },
] as const;

for (const row of ROWS) {
  registerCustomBench({
    name: `parallel ${row.program} ${row.mode}`,
    group: 'scale',
    async run() {
      const reps = Number(process.env.PAGERCHECK_BENCH_REPS ?? 3);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagercheck-bench-'));
      const one: ChildRun[] = [];
      const two: ChildRun[] = [];
      for (let i = 0; i < reps; i++) {
        one.push(child(1, row.mode, row.program, dir));
        two.push(child(2, row.mode, row.program, dir));
      }
      fs.rmSync(dir, { recursive: true, force: true });
      const execs = new Set([...one, ...two].map((r) => r.executions));
      const w1 = median(one.map((r) => r.wallMs));
      const w2 = median(two.map((r) => r.wallMs));
      const s1 = median(one.map((r) => r.searchMs));
      const s2 = median(two.map((r) => r.searchMs));
      return {
        case: `pagercheck explore ${row.label} (${one[0]!.tasks} tasks)`,
        executions: execs.size === 1 ? [...execs][0]!.toLocaleString('en-US') : `differ: ${[...execs].join(', ')}`,
        'command 1w / 2w': `${s(w1)} / ${s(w2)}`,
        'search 1w / 2w': `${s(s1)} / ${s(s2)}`,
        'speed-up (search)': `${(s1 / s2).toFixed(2)}x (target 1.8x)`,
        'speed-up (command)': `${(w1 / w2).toFixed(2)}x`,
        runs: `median of ${reps}, fresh processes`,
        cores: String(os.availableParallelism()),
      };
    },
  });
}

/* The example program through the library (the CLI runs catalog scenarios only), each run in a fresh process too. */
interface LibRun {
  readonly wallMs: number;
  readonly executions: number;
  readonly steps: number;
  readonly tasks: number;
  /** CPU of the whole process (every thread) and of the calling thread alone (bench/scale-child.ts). */
  readonly cpuMs: number;
  readonly mainCpuMs: number;
  readonly biggestTaskSteps: number;
  readonly totalSteps: number;
  /** Steps of the busier of 2 threads claiming the task list in claimOrder: the bound the task list sets. */
  readonly makespan2Steps: number;
}
const CHILD = fileURLToPath(new URL('./scale-child.mjs', import.meta.url));
function libChild(workers: number, program: string, minTasks?: number): LibRun {
  const out = execFileSync(process.execPath, [CHILD, program, String(workers), 'plain', ...(minTasks !== undefined ? [String(minTasks)] : [])], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as LibRun;
}
/** REPS runs with 1 and with 2 searching threads, alternating, each in a fresh process. */
function libRuns(program: string, minTasks?: number): { reps: number; one: LibRun[]; two: LibRun[] } {
  const reps = Number(process.env.PAGERCHECK_BENCH_REPS ?? 3);
  const one: LibRun[] = [];
  const two: LibRun[] = [];
  for (let i = 0; i < reps; i++) {
    one.push(libChild(1, program, minTasks));
    two.push(libChild(2, program, minTasks));
  }
  return { reps, one, two };
}
registerCustomBench({
  name: 'parallel example sharedWriters(12)',
  group: 'scale',
  async run() {
    const { reps, one, two } = libRuns('example:sharedWriters:12');
    const w1 = median(one.map((r) => r.wallMs));
    const w2 = median(two.map((r) => r.wallMs));
    return {
      case: `example sharedWriters(12), runTasks (${one[0]!.tasks} tasks)`,
      executions: one[0]!.executions.toLocaleString('en-US'),
      'search 1w / 2w': `${s(w1)} / ${s(w2)}`,
      'speed-up (search)': `${(w1 / w2).toFixed(2)}x (target 1.8x)`,
      runs: `median of ${reps}, fresh processes`,
    };
  },
});

/*
 * What does not depend on the machine's load: the task list's bound on 2 threads (total steps / steps of the
 * busier thread when both claim in claimOrder), and CPU time. With one searching thread, V8's compiler and GC
 * threads run on the idle core, so the calling thread's CPU is the search's wall time on an idle machine; with
 * two, every thread of the process shares the 2 cores, so the wall is at least half the process's CPU. The
 * projected speed-up on an idle 2-core machine is the 1-thread calling-thread CPU over the larger of the two
 * bounds of the 2-thread wall.
 */
const WORK_ROWS = [
  { program: SCENARIO, minTasks: undefined },
  // The default split, as users get it: one of its 35 tasks held 97.6% of the steps (bound 1.02x). A finer split
  // (minTasks 512: bound 1.91x) ran 3.7x the executions, as the enumeration above the split lacks DPOR's reductions.
  { program: RACE, minTasks: RACE_MIN_TASKS },
] as const;
for (const { program, minTasks } of WORK_ROWS) {
  registerCustomBench({
    name: `parallel work ${program}`,
    group: 'scale',
    async run() {
      const { reps, one, two } = libRuns(program, minTasks);
      const a = one[0]!;
      const steps = new Set([...one, ...two].map((r) => r.steps));
      const main1 = median(one.map((r) => r.mainCpuMs));
      const cpu1 = median(one.map((r) => r.cpuMs));
      const cpu2 = median(two.map((r) => r.cpuMs));
      const taskBound = a.totalSteps / a.makespan2Steps;
      const projected = main1 / Math.max(cpu2 / 2, main1 / taskBound);
      return {
        case: `${program} --no-spec, runTasks (${minTasks === undefined ? 'default split' : `minTasks ${minTasks}`}: ${a.tasks} tasks)`,
        'executions / steps': steps.size === 1 ? `${a.executions.toLocaleString('en-US')} / ${a.steps.toLocaleString('en-US')}` : `steps differ: ${[...steps].join(', ')}`,
        'biggest task': `${((a.biggestTaskSteps / a.totalSteps) * 100).toFixed(1)}% of steps`,
        'task-list bound 2w': `${taskBound.toFixed(2)}x`,
        'CPU 1w (calling thread / process)': `${s(main1)} / ${s(cpu1)}`,
        'CPU 2w (process)': s(cpu2),
        'projected speed-up (idle 2 cores)': `${projected.toFixed(2)}x (target 1.8x)`,
        'wall 1w / 2w': `${s(median(one.map((r) => r.wallMs)))} / ${s(median(two.map((r) => r.wallMs)))}`,
        runs: `median of ${reps}, fresh processes`,
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
      const r: ProgramRef = scenarioRef(scenario);
      const p = await resolveProgram(r);
      const seq = explore(p.program, { stopOnViolation: false, ...(p.stepCheck ? { stepCheck: p.stepCheck } : {}) });
      const split = await exploreParallel(r, { workers: 0, stopOnViolation: false });
      rows.push(`${scenario} ${split.stats.executions.toLocaleString('en-US')}/${seq.stats.executions.toLocaleString('en-US')} (${split.tasks} tasks)`);
    }
    return { case: 'split executions / sequential DPOR executions', scenarios: rows.join('; ') };
  },
});
