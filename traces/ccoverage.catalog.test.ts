/*
 * Every scheduling-point line of the seed's functions is reached by some
 * catalog scenario or probe on the seed or repaired variant, or is listed
 * with its reason (issue 13 item 3): ccoverage.ts UNREACHABLE, or STEPLESS
 * below for a line the runs do execute without a step there. The list is
 * pinned: a line that stops being reached, or one that gets reached, changes
 * it. Steps only: V8 block coverage (KASSERTs, branch directions) is what
 * `pagercheck coverage --c` adds over the catalog, and under vitest the
 * port's text is not the one V8 runs, so its sites cannot be found here.
 */
import { describe, expect, it } from 'vitest';
import { CATALOG, PROBES } from '../properties/catalog.ts';
import { runScenario } from '../properties/run.ts';
import { CCollector, unreachedLines } from './ccoverage.ts';

const GAP = 'not reached by any catalog scenario (no reason recorded: a gap of the catalog)';

/** Lines executed without a scheduling step of their own in these runs. */
const STEPLESS: ReadonlyMap<number, string> = new Map([
  [286, 'vm_object_pip_wait "vnpdea" makes a step only when it sleeps: vgone\'s vinvalbuf has waited for paging in progress, and under the exclusive vnode lock no lawful caller starts a pager operation'],
  [535, "vnode_pager_input_smlfs's VOP_BMAP(vp, 0, &bo, ...) for the buffer object only, which the port makes without a step; the small-block catalog scenarios run it"],
]);

/** Unreached scheduling-point lines: "line: first words of the reason". */
const PINNED: readonly string[] = [
  '126: vnode_create_vobject waiting for an OBJ_DEAD object',
  '128: vnode_create_vobject waiting for an OBJ_DEAD object',
  '129: vnode_create_vobject waiting for an OBJ_DEAD object',
  '185: vnode_destroy_vobject on an object already OBJ_DEAD',
  '286: vm_object_pip_wait "vnpdea" makes a step only',
  '535: vnode_pager_input_smlfs\'s VOP_BMAP(vp, 0, &bo, ...) for',
  "1331: vnode_pager_undirty_pages is called by filesystems' own",
  "1342: vnode_pager_undirty_pages is called by filesystems' own",
];

function collect() {
  const c = new CCollector();
  for (const s of [...CATALOG, ...PROBES])
    for (const variant of ['seed', 'repaired']) {
      const r = runScenario({ scenario: s, variant }, { onBegin: (label) => c.exploring(label), onEnd: () => c.explored(), wrapStrategy: (st) => c.wrap(st) });
      expect(r.error, `${s.name}@${variant}`).toBeUndefined();
    }
  return c.data('catalog and probes on seed and repaired');
}

describe('C coverage of the catalog and probes', () => {
  it('leaves only lines it gives a reason for, and those are pinned', () => {
    const lines = unreachedLines(collect()).flatMap(([reason, ls]) => ls.map((l) => [l, reason === GAP ? (STEPLESS.get(l) ?? GAP) : reason] as const));
    expect(lines.filter(([, r]) => r === GAP).map(([l]) => l)).toEqual([]);
    expect(lines.map(([l, r]) => `${l}: ${r.split(' ').slice(0, 6).join(' ')}`)).toEqual(PINNED);
  }, 900_000);
});
