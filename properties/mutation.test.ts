import { describe, expect, it } from 'vitest';
import { access, type Ctx, type KThread, type Program } from '../checker/index.ts';
import { catalogScenario } from './catalog.ts';
import { DPOR_END_STATES, killReason, killRunName, killRuns, missedEndStates, runKill, violationPlace } from './mutation.ts';
import { labeledLoopHeads, mutatePatterns } from './mutation-slice.ts';
import { classifySurvivor, touchArgument } from './survivors.ts';

/*
 * The kill predicate of the generated mutation score (npm run mutation):
 * capped runs still kill hand-written mutants, a run equal to its baseline
 * kills nothing, and slices cut around labeled loop heads.
 */
describe('mutation kill suite', () => {
  it('has explore runs per variant and scenario, repair runs per finding, unreduced runs, all named apart', () => {
    const runs = killRuns();
    const names = runs.map(killRunName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('seed alloc-race');
    expect(names).toContain('repaired alloc-race');
    expect(names).toContain('unreduced seed alloc-race');
    expect(names).toContain('seed+alloc-vref-under-object-lock unlocked-alloc-vs-vgone');
    expect(runs.filter((r) => r.kind === 'repair').every((r) => r.variant.startsWith('seed+'))).toBe(true);
  });

  it('kills a hand-written mutant within the execution cap, and not the variant it patches', () => {
    const s = catalogScenario('alloc-race');
    const mutant = runKill({ kind: 'explore', scenario: s, variant: 'mut-alloc-no-interlock-recheck' });
    const repaired = runKill({ kind: 'explore', scenario: s, variant: 'repaired' });
    expect(killReason(repaired, repaired.keys)).toBeNull();
    expect(killReason(mutant, repaired.keys)).toMatch(/^violation: .*one-live-object-per-vnode/);
  });

  it("tells a finding apart from others of its property: the seed with one repair loses that finding's assertion only", () => {
    const s = catalogScenario('unlocked-alloc-vs-vgone');
    const seed = runKill({ kind: 'explore', scenario: s, variant: 'seed' });
    const one = killRuns().find((r) => r.kind === 'repair' && r.variant === 'seed+alloc-vref-under-object-lock' && r.scenario.name === s.name)!;
    const repairedOne = runKill(one);
    const vrefact = (keys: readonly string[]) => keys.filter((k) => k.startsWith('kernel-assertions-hold@vrefact:?'));
    expect(vrefact(seed.keys)).toEqual(['kernel-assertions-hold@vrefact:? "vrefact: wrong hold count"', 'kernel-assertions-hold@vrefact:? "vrefact: wrong use count"']);
    expect(vrefact(repairedOne.keys)).toEqual([]);
    // The seed shows the same property (another assertion) in the one-repair run: by property alone the repair's loss would not show.
    expect(repairedOne.keys.some((k) => k.startsWith('kernel-assertions-hold@'))).toBe(true);
    expect(killReason(seed, repairedOne.keys)).toMatch(/^violation: kernel-assertions-hold@vrefact/);
    expect(violationPlace({ kind: 'assertion', assertion: 'KASSERT', fn: 'vnode_pager_alloc', message: 'm', line: 232, step: 3, tid: 0 })).toBe('kernel-assertions-hold@vnode_pager_alloc:232 "m"');
    // The message's shape is part of the place: names and counts masked, an emptied message told apart.
    const at194 = (message: string) => violationPlace({ kind: 'assertion', assertion: 'KASSERT', fn: 'vnode_destroy_vobject', message, line: 194, step: 0, tid: 0 });
    expect(at194('vp vp1 obj obj2')).toBe(at194('vp vp3 obj obj14'));
    expect(at194('')).not.toBe(at194('vp vp1 obj obj2'));
  });

  /* Two threads each store their id to x, but declare the step a read: DPOR takes the two for independent and runs one order. */
  function undeclaredWrites(declareWrite: boolean): Program<{ x: number }> {
    function* t(w: { x: number }, id: number): KThread<void> {
      yield access('x', declareWrite);
      w.x = id;
    }
    return {
      name: 'undeclared-writes',
      setup(ctx: Ctx) {
        const w = { x: 0 };
        ctx.spawn('A', () => t(w, 1));
        ctx.spawn('B', () => t(w, 2));
        return w;
      },
    };
  }

  it('the unreduced check fires when a footprint is wrong, and not when it is right', () => {
    const broken = missedEndStates(undeclaredWrites(false), (w) => `x=${w.x}`, { maxExecutions: 100, preemptions: 1 });
    expect(broken.complete).toBe(true);
    expect(broken.missed).toHaveLength(1);
    const right = missedEndStates(undeclaredWrites(true), (w) => `x=${w.x}`, { maxExecutions: 100, preemptions: 1 });
    expect(right).toMatchObject({ complete: true, missed: [] });
    expect(killReason({ keys: [DPOR_END_STATES], executions: 3, missed: broken.missed }, [])).toMatch(/^violation: dpor-reaches-every-end-state \(DPOR missed: x=/);
  });

  it('cuts a slice around a labeled loop head and keeps the rest', () => {
    const text = ['function* f() {', '  let i = 0;', '  again: for (;;) {', '    if (i++ < 2) continue again;', '    return i;', '  }', '}', ''].join('\n');
    expect(labeledLoopHeads(text)).toEqual([{ from: { line: 3, col: 2 }, to: { line: 3, col: 18 }, label: 'again' }]);
    const { patterns, cuts } = mutatePatterns([{ from: 1, to: 7 }], text);
    expect(patterns).toEqual(['impl/vnode_pager.ts:1:0-3:2', `impl/vnode_pager.ts:3:18-7:${Number.MAX_SAFE_INTEGER}`]);
    expect(cuts).toEqual(['again: at 3:2-3:18']);
  });

  it("classifies a footprint mutant by the argument it changes: write flag made stronger is equivalent, atomic flag and weaker ones are not", () => {
    const line = "    k.ctx.touch(`${vp.name}.v_usecount`, false, true, { seen: 1 });";
    const col = (needle: string, from = 0) => line.indexOf(needle, from) + 1;
    expect(touchArgument(line, col('`'))).toBe(0);
    expect(touchArgument(line, col('false'))).toBe(1);
    expect(touchArgument(line, col('true'))).toBe(2);
    expect(touchArgument(line, col('{ seen'))).toBe(3);
    expect(touchArgument(line, 1)).toBe(-1);
    const key = { fn: 'vnode_pager_getpages', mutator: 'BooleanLiteral', line };
    expect(classifySurvivor({ ...key, original: 'false', replacement: 'true', column: col('false') })?.kind).toBe('equivalent');
    expect(classifySurvivor({ ...key, original: 'true', replacement: 'false', column: col('true') })?.why).toMatch(/race detector/);
    expect(classifySurvivor({ ...key, mutator: 'StringLiteral', original: '`${vp.name}.v_usecount`', replacement: '``', column: col('`') })).toMatchObject({ kind: 'missing' });
  });

  it('calls unreachable only a mutant that differs where no caller of the era goes: the dead-object choice made always-terminate, not never-terminate', () => {
    const key = { fn: 'vnode_destroy_vobject', mutator: 'ConditionalExpression', original: '(obj.flags & OBJ_DEAD) === 0', line: '    if ((obj.flags & OBJ_DEAD) === 0) {' };
    expect(classifySurvivor({ ...key, replacement: 'true' })?.kind).toBe('unreachable');
    // false terminates no live object at all: every reclaim of an unreferenced object would differ, so no argument covers it.
    expect(classifySurvivor({ ...key, replacement: 'false' })).toBeNull();
    // A block's text spans lines; the lookup folds whitespace.
    const block = { fn: 'vnode_pager_setsize', mutator: 'BlockStatement', replacement: '{}', line: '' };
    expect(classifySurvivor({ ...block, original: "{\n    /* Hasn't changed size. */\n    yield* VM_OBJECT_WUNLOCK(k, object, 416);\n    return;\n  }" })?.kind).toBe('equivalent');
  });
});
