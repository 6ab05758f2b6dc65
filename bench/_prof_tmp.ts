import { exploreParallel } from '../checker/parallel.ts';
import { planTasks, resolveProgram, type ProgramRef } from '../checker/tasks.ts';
import { explore } from '../checker/explore.ts';
const ref: ProgramRef = { kind: 'scenario', scenario: process.argv[2] ?? 'sparse-file' };
let t = performance.now();
const tasks = planTasks(ref, { stopOnViolation: false });
console.log('plan ms', (performance.now() - t).toFixed(0), tasks.length);
t = performance.now();
const r = resolveProgram(ref);
const seq = explore(r.program, { stopOnViolation: false, ...(r.stepCheck ? { stepCheck: r.stepCheck } : {}) });
console.log('seq', seq.stats.executions, (performance.now() - t).toFixed(0));
for (const w of (process.env.W ?? "1,2").split(",").map(Number)) {
  const times: number[] = [];
  t = performance.now();
  const o = await exploreParallel(ref, { workers: w, tasks, stopOnViolation: false, onResult: (x) => times.push(Math.round(x.elapsedMs)) });
  console.log('workers', w, 'wall', (performance.now() - t).toFixed(0), 'exec', o.stats.executions, 'sum task ms', times.reduce((a, b) => a + b, 0), 'max', Math.max(...times));
}
