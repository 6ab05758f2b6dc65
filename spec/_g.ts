import { machineGraph, coverPaths } from './graph.ts';
import { MACHINE_NAMES, MACHINES, transitionsOf, coverableStatesOf } from './catalog.ts';
for (const n of MACHINE_NAMES) {
  const t0 = performance.now();
  const g = machineGraph(n);
  const ps = coverPaths(n);
  const ts = transitionsOf(MACHINES[n] as any);
  const ss = coverableStatesOf(MACHINES[n] as any);
  console.log(n, 'snapshots', g.shortest.length, 'edges', g.edges, 'states', ss.length, 'reached', [...g.statePaths.keys()].filter(k=>k).length, 'transitions', ts.length, 'fired', g.transitionPaths.size, 'paths', ps.length, 'ms', (performance.now()-t0).toFixed(0));
  for (const t of ts) if (!g.transitionPaths.has(t.id)) console.log('  unreached', t.label);
  console.log('  longest path', Math.max(...ps.map(p=>p.steps.length)));
}
