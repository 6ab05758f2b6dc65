import { describe, expect, it } from 'vitest';
import { MUTANTS, MUTATIONS } from '../impl/variants.ts';
import { catalogScenario } from './catalog.ts';
import { runScenario } from './run.ts';
import { newViolations } from './mutants.ts';

/*
 * Every mutant is killed: the scenario `npm run mutants` found first for it
 * shows, on the mutant, a violation of the named property that the repaired
 * variant does not have. (The report searches the whole catalog; this pins
 * its result so the suite stays fast.)
 */
const KILLED_BY: Readonly<Record<string, readonly [scenario: string, property: string]>> = {
  'mut-alloc-no-interlock-recheck': ['alloc-race', 'one-live-object-per-vnode'],
  'mut-alloc-discard-keeps-ref': ['alloc-race', 'one-live-object-per-vnode'],
  'mut-dealloc-no-disconnect-wakeup': ['unlocked-alloc-vs-vgone', 'no-thread-blocked-forever'],
  'mut-dealloc-keeps-writecount': ['writemappings-vs-vgone', 'writecount-matches-writemappings'],
  'mut-dealloc-no-vunref': ['alloc-vs-vgone', 'object-refs-hold-vnode-refs'],
  'mut-create-vobject-no-vrele': ['alloc-race', 'object-refs-hold-vnode-refs'],
  'mut-release-writecount-no-type-recheck': ['writemappings-vs-vgone', 'writecount-matches-writemappings'],
  'mut-release-writecount-fast-path-at-zero': ['writemappings-vs-vgone', 'writecount-matches-writemappings'],
  'mut-setsize-no-page-remove': ['shrink-vs-getpages-eof', 'no-valid-page-past-eof'],
  'mut-setsize-no-zero-tail': ['shrink-vs-getpages-eof', 'no-valid-page-past-eof'],
  'mut-readbehind-no-blkno-adjust': ['overlapping-getpages', 'kernel-assertions-hold'],
  'mut-bmap-error-keeps-pbuf': ['getpages-async-bmap-error', 'pbufs-and-runningbufspace-return'],
  'mut-smlfs-keeps-pbuf': ['small-block-fs', 'pbufs-and-runningbufspace-return'],
  'mut-async-done-wrong-pbuf-counter': ['getpages-async-vs-vgone', 'pbufs-and-runningbufspace-return'],
  'mut-input-old-no-zero-tail': ['nobmap-fs', 'getpages-answer-truthful'],
  'mut-readahead-finish-off-by-one': ['shrink-vs-getpages-eof', 'kernel-assertions-hold'],
  'mut-putpages-eof-clip-to-sector': ['setsize-vs-putpages', 'no-lost-writes'],
};

describe('mutants', () => {
  it('are at least 15, each one declared patch on top of the repaired variant', () => {
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(15);
    expect(Object.keys(KILLED_BY).sort()).toEqual(MUTATIONS.map((m) => m.name).sort());
    for (const v of MUTANTS) expect(v.patches.filter((p) => p.startsWith('mut-'))).toEqual([v.name]);
  });

  for (const m of MUTATIONS) {
    it(`${m.name} is killed`, () => {
      const [scenario, property] = KILLED_BY[m.name]!;
      const r = runScenario({ scenario: catalogScenario(scenario), variant: m.name });
      expect(r.error).toBeUndefined();
      expect(newViolations(r)).toContain(property);
    });
  }
});
