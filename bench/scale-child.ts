/*
 * One measured run for bench/scale.ts, in a process of its own (a fresh JIT,
 * as a user's `pagercheck explore NAME --workers N` gets): the split DPOR
 * search of a catalog scenario with N searching threads. Prints one JSON line.
 * Usage: node bench/scale-child.mjs SCENARIO WORKERS plain|spec (the bundled form of this file)
 *   (SCENARIO may be example:NAME:ARG,... for a program of checker/examples.ts)
 */
import { runTasks } from '../checker/parallel.ts';
import { mergeTaskResults, registerResolver, type ProgramRef } from '../checker/tasks.ts';
import { exampleRef } from '../checker/examples.ts';
import * as pager from '../traces/checked.ts';

registerResolver(pager.SCENARIO_RESOLVER, pager);

const [scenario, workers, mode] = process.argv.slice(2);
if (scenario === undefined || workers === undefined || (mode !== 'plain' && mode !== 'spec')) {
  console.error('usage: node bench/scale-child.mjs SCENARIO WORKERS plain|spec');
  process.exit(2);
}
const ex = /^example:(\w+):([\d,]*)$/.exec(scenario);
const ref: ProgramRef = ex
  ? exampleRef(ex[1]!, ...ex[2]!.split(',').filter(Boolean).map(Number))
  : pager.scenarioRef(scenario, 'seed', mode === 'spec');
let busy = 0;
// The data-race detector off, as the CLI runs catalog scenarios unless --races.
const run = await runTasks(ref, { workers: Number(workers), stopOnViolation: false, races: false, onResult: (r) => (busy += r.elapsedMs) });
const o = mergeTaskResults(run.results, { stopOnViolation: false }, run.elapsedMs);
console.log(JSON.stringify({ wallMs: run.elapsedMs, busyMs: busy, executions: o.stats.executions, tasks: run.tasks.length, ranInWorkers: run.ranInWorkers }));
