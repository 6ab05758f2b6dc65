/*
 * One measured run for bench/scale.ts, in a process of its own (a fresh JIT,
 * as a user's `pagercheck explore NAME --workers N` gets): the split DPOR
 * search of a catalog scenario with N searching threads. Prints one JSON line.
 * Usage: node bench/scale-child.mjs SCENARIO WORKERS plain|spec [MIN_TASKS] (the bundled form of this file)
 *   (SCENARIO may be example:NAME:ARG,... for a program of checker/examples.ts)
 */
import fs from 'node:fs';
import { claimOrder, runTasks } from '../checker/parallel.ts';
import { mergeTaskResults, registerResolver, type ProgramRef } from '../checker/tasks.ts';
import { exampleRef } from '../checker/examples.ts';
import * as pager from '../traces/checked.ts';

registerResolver(pager.SCENARIO_RESOLVER, pager);

const [scenario, workers, mode, minTasks] = process.argv.slice(2);
if (scenario === undefined || workers === undefined || (mode !== 'plain' && mode !== 'spec')) {
  console.error('usage: node bench/scale-child.mjs SCENARIO WORKERS plain|spec [MIN_TASKS]');
  process.exit(2);
}
const ex = /^example:(\w+):([\d,]*)$/.exec(scenario);
const ref: ProgramRef = ex
  ? exampleRef(ex[1]!, ...ex[2]!.split(',').filter(Boolean).map(Number))
  : pager.scenarioRef(scenario, 'seed', mode === 'spec');
let busy = 0;
const perTask: { index: number; executions: number; steps: number }[] = [];
const cpu0 = process.cpuUsage();
const main0 = mainThreadCpuMs();
// The data-race detector off, as the CLI runs catalog scenarios unless --races.
const run = await runTasks(ref, {
  workers: Number(workers),
  stopOnViolation: false,
  races: false,
  ...(minTasks !== undefined ? { minTasks: Number(minTasks) } : {}),
  onResult: (r) => {
    busy += r.elapsedMs;
    perTask.push({ index: r.index, executions: r.executions, steps: r.steps });
  },
});
const cpu = process.cpuUsage(cpu0);
const mainCpuMs = mainThreadCpuMs() - main0;
const o = mergeTaskResults(run.results, { stopOnViolation: false }, run.elapsedMs);
// Per-task work, in task order: what the task list allows 2 threads claiming in claimOrder (steps as the cost).
perTask.sort((a, b) => a.index - b.index);
const order = claimOrder(run.tasks, run.tasks.map((_, i) => i), false);
const steps = perTask.map((t) => t.steps);
const total = steps.reduce((a, b) => a + b, 0);
console.log(
  JSON.stringify({
    wallMs: run.elapsedMs,
    busyMs: busy,
    executions: o.stats.executions,
    steps: o.stats.steps,
    tasks: run.tasks.length,
    ranInWorkers: run.ranInWorkers,
    // CPU of every thread of the process (searching threads, V8's compiler and GC threads), and of the calling thread alone.
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainCpuMs,
    biggestTaskSteps: Math.max(...steps),
    totalSteps: total,
    makespan2Steps: greedyMakespan(order.map((i) => steps[i]!), 2),
  }),
);

/** Wall of `threads` threads that each take the next cost of `costs` (in claim order) when free. */
function greedyMakespan(costs: readonly number[], threads: number): number {
  const busyUntil = new Array<number>(threads).fill(0);
  for (const c of costs) {
    let k = 0;
    for (let j = 1; j < threads; j++) if (busyUntil[j]! < busyUntil[k]!) k = j;
    busyUntil[k]! += c;
  }
  return Math.max(...busyUntil);
}

/** CPU time of the calling thread (Linux: its /proc task entry, utime + stime in clock ticks of 10 ms); NaN elsewhere. */
function mainThreadCpuMs(): number {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}
