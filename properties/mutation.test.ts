import { describe, expect, it } from 'vitest';
import { catalogScenario } from './catalog.ts';
import { killReason, killRuns, KILL_MAX_EXECUTIONS } from './mutation.ts';
import { labeledLoopHeads, mutatePatterns } from './mutation-slice.ts';
import { runScenario } from './run.ts';

/*
 * The kill predicate of the generated mutation score (npm run mutation):
 * capped runs still kill hand-written mutants, a run equal to its baseline
 * kills nothing, and slices cut around labeled loop heads.
 */
describe('mutation kill suite', () => {
  it('has one run per variant and catalog scenario or probe', () => {
    const names = killRuns().map((r) => `${r.variant} ${r.scenario.name}`);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('seed alloc-race');
    expect(names).toContain('repaired alloc-race');
  });

  it('kills a hand-written mutant within the execution cap, and not the variant it patches', () => {
    const s = catalogScenario('alloc-race');
    const mutant = runScenario({ scenario: s, variant: 'mut-alloc-no-interlock-recheck', bounds: { maxExecutions: KILL_MAX_EXECUTIONS } });
    const repaired = runScenario({ scenario: s, variant: 'repaired', bounds: { maxExecutions: KILL_MAX_EXECUTIONS } });
    expect(killReason(repaired, repaired.violated)).toBeNull();
    expect(killReason(mutant, repaired.violated)).toMatch(/^violation: .*one-live-object-per-vnode/);
  });

  it('cuts a slice around a labeled loop head and keeps the rest', () => {
    const text = ['function* f() {', '  let i = 0;', '  again: for (;;) {', '    if (i++ < 2) continue again;', '    return i;', '  }', '}', ''].join('\n');
    expect(labeledLoopHeads(text)).toEqual([{ from: { line: 3, col: 2 }, to: { line: 3, col: 18 }, label: 'again' }]);
    const { patterns, cuts } = mutatePatterns([{ from: 1, to: 7 }], text);
    expect(patterns).toEqual(['impl/vnode_pager.ts:1:0-3:2', `impl/vnode_pager.ts:3:18-7:${Number.MAX_SAFE_INTEGER}`]);
    expect(cuts).toEqual(['again: at 3:2-3:18']);
  });
});
