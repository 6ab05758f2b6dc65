/*
 * What each catalog scenario and probe finds, per variant: the properties it
 * violates. The seed's entries are the findings (traces/findings/); the
 * repaired variant must find nothing but the caller-contract probe.
 */
export const EXPECTED_VIOLATIONS: Readonly<Record<'seed' | 'repaired', Readonly<Record<string, readonly string[]>>>> = {
  seed: {
    'io-errors': ['valid-data-is-file-data'],
    'msync-write-error': ['putpages-rtvals-truthful'],
    /* The same defect (putpages-ok-after-failed-sync-write) met through a bad sector and through ENOSPC. */
    'msync-bad-sector': ['putpages-rtvals-truthful'],
    'msync-enospc-hole': ['putpages-rtvals-truthful'],
    'partly-valid-page-small-block': ['getpages-answer-truthful'],
    'sparse-small-block-sendfile': ['haspage-agrees-with-bmap'],
    'getpages-async-small-block': ['no-thread-blocked-forever'],
    'getpages-async-bmap-error': ['kernel-assertions-hold'],
    'unlocked-alloc-vs-vgone': ['kernel-assertions-hold', 'no-thread-blocked-forever'],
    /* haspage-agrees-with-bmap here: the same unlocked caller, its answer checked after the truncation ran between its VOP_BMAP and its answer. */
    'unlocked-haspage-vs-setsize': ['kernel-assertions-hold', 'haspage-agrees-with-bmap'],
    /* Found by the hunt (H3): a defect outside the seed (vfs_default.c), an off-by-one of haspage, the EOF sector's dirty bit. */
    'nobmap-sendfile-read-error': ['kernel-assertions-hold'],
    'small-block-haspage-run-past-hole': ['haspage-agrees-with-bmap'],
    'truncate-then-launder-enospc': ['no-lost-writes'],
  },
  repaired: {
    /* A caller without the vnode lock breaks vm_pager_has_page's precondition; no repair of the pager applies (both findings: see seed). */
    'unlocked-haspage-vs-setsize': ['kernel-assertions-hold', 'haspage-agrees-with-bmap'],
  },
};

/**
 * The expectations of a variant kind. The compiled seed (variant c) is the
 * seed's C itself, so it is expected to find what the seed finds; a scenario
 * that reaches a function not yet running on c is refused or skipped before
 * its search (cwasm/reach.ts), so its entry never applies there.
 */
export function expectationsOf(kind: string): Readonly<Record<string, readonly string[]>> | null {
  if (kind === 'seed' || kind === 'compiled') return EXPECTED_VIOLATIONS.seed;
  if (kind === 'repaired') return EXPECTED_VIOLATIONS.repaired;
  return null;
}
