import { describe, expect, it } from 'vitest';
import { explore } from '../checker/explore.ts';
import { buildProgram } from './program.ts';
import { catalogScenario } from './catalog.ts';
import type { Observed } from './observed.ts';

/*
 * Triage of a hunt report (issue 13): "the vnode hold count is not back at
 * quiescence in create-vs-destroy-vs-alloc". Measured: it is, on the seed and
 * on the repaired variant, in every execution; the vnode keeps the one hold
 * of its use reference (world.ts) once the object and its page are gone
 * (vm_page_remove's vdrop, vnode_pager_dealloc's vunref).
 */
describe('vnode hold count at quiescence', () => {
  for (const variant of ['seed', 'repaired']) {
    it(`create-vs-destroy-vs-alloc on ${variant}: v_holdcnt is back to v_usecount in every execution`, () => {
      const seen: string[] = [];
      const out = explore(buildProgram(catalogScenario('create-vs-destroy-vs-alloc'), { variant }), {
        maxExecutions: 1000,
        stopOnViolation: false,
        onExecution(r) {
          const o = r.world as Observed;
          const objsWithPages = o.k.objects.filter((x) => !x.destroyed && x.memq.length > 0).length;
          seen.push(`${r.result.status} use ${o.vp.v_usecount} hold ${o.vp.v_holdcnt} objects with pages ${objsWithPages}`);
        },
      });
      expect(out.stats.complete).toBe(true);
      expect(seen.length).toBe(out.stats.executions);
      expect(new Set(seen)).toEqual(new Set(['ok use 1 hold 1 objects with pages 0']));
    });
  }
});
