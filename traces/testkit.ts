/*
 * Traces for tests that must not depend on which defects the catalog finds
 * today: a small scenario cut by the step bound (a violation every execution
 * has), so a counterexample always exists and is cheap to find.
 */
import { explore } from '../checker/explore.ts';
import { parseScenario, type Scenario } from '../properties/scenario.ts';
import { checkedProgram, type Checks } from './checked.ts';
import { recordTrace, type Trace } from './trace.ts';

/** An mmap-style allocation and release racing a forced reclaim: steps in the seed, lifecycle events, two threads. */
export const TINY_SCENARIO_INPUT = {
  name: 'tiny-alloc-vs-vgone',
  description: 'A test scenario: vnode_pager_alloc and a release against vgone.',
  fs: { flavor: 'block', f_iosize: 4096 },
  file: { size: 8192 },
  initial: { object: true, mappings: 1 },
  threads: [
    { name: 'T1', ops: [{ op: 'alloc', vnodeLock: 'none' }, { op: 'deallocate' }] },
    { name: 'T2', ops: [{ op: 'vgone' }] },
  ],
} as const;

export function tinyScenario(): Scenario {
  return parseScenario(structuredClone(TINY_SCENARIO_INPUT));
}

/** The first execution of the tiny scenario cut at `maxSteps` steps (a step-bound violation), as a trace. */
export function stepBoundTrace(maxSteps = 30, checks: Checks = { spec: true, races: false }): Trace {
  const s = tinyScenario();
  const { program } = checkedProgram(s, 'seed', checks);
  const out = explore(program, { maxSteps, races: checks.races, scenario: s.name, variant: 'seed', stopOnViolation: false, maxExecutions: 50 });
  if (out.status !== 'violation') throw new Error(`expected a step-bound violation, got ${out.status}`);
  const cex = out.violations.find((c) => c.violation.kind === 'step-bound');
  if (!cex) throw new Error(`expected a step-bound violation, got ${out.violations.map((c) => c.violation.kind).join(', ')}`);
  return recordTrace(s, cex, checks).trace;
}
