/*
 * Variants of the port. `seed` is the seed as FreeBSD shipped it and the
 * default. A repaired variant or a mutant is the seed plus a set of named
 * patches; the port tests `k.patched(NAME)` at the one place each patch
 * changes, so no variant copies the port.
 *
 * Every patch is declared here with the seed lines it touches; a variant
 * naming an undeclared patch is rejected when it is selected.
 */
export interface Patch {
  readonly name: string;
  /** Seed lines the patch changes. */
  readonly lines: readonly number[];
  readonly description: string;
}

export interface Variant {
  readonly name: string;
  readonly kind: 'seed' | 'repaired' | 'mutant';
  readonly description: string;
  readonly patches: readonly string[];
}

/** Repairs of seed defects, written the way the kernel later fixed them (traces/findings/*.md). */
export const REPAIRS: readonly Patch[] = [
  {
    name: 'getpages-done-frees-readahead-on-error',
    lines: [1097, 1098, 1099, 1130, 1131, 1133],
    description: 'after a failed read, free the read-behind/read-ahead pages and mark no page valid (later FreeBSD does the same)',
  },
  {
    name: 'generic-getpages-async-completes-synchronous-paths',
    lines: [808, 809, 811, 812, 828, 846],
    description: 'an asynchronous request served or refused without the asynchronous read (input_old, BMAP error, small blocks, hole) calls its iodone with the error and reports VM_PAGER_OK',
  },
  {
    name: 'haspage-small-block-checks-whole-page',
    lines: [340, 341, 342, 343, 344, 346, 350, 351],
    description: 'with blocks smaller than a page, vnode_pager_haspage reports the page present when any of its blocks is allocated, not only the first',
  },
  {
    name: 'alloc-recheck-v_object',
    lines: [224, 225, 226, 227],
    description: 'vnode_pager_alloc re-reads vp->v_object under the object lock before trusting or sleeping on the object it found unlocked',
  },
  {
    name: 'alloc-vref-under-object-lock',
    lines: [259, 260, 262, 266, 268],
    description: 'vnode_pager_alloc takes the vnode use reference before the new object reference becomes visible (under the interlock / object lock)',
  },
  {
    name: 'putpages-reports-unwritten-pages',
    lines: [1292, 1293, 1294, 1295],
    description: 'after a write error or a short write, generic_putpages reports each page the write left dirty VM_PAGER_ERROR instead of VM_PAGER_OK (later FreeBSD does the same)',
  },
  {
    name: 'getpages-reads-partly-valid-page',
    lines: [770, 771, 772, 773, 774, 775],
    description: 'generic_getpages takes its "already valid" shortcut only when the valid blocks cover the page up to EOF; a page a small-block buffer left partly valid below EOF is read',
  },
  {
    name: 'alloc-refuses-doomed-vnode',
    lines: [244, 245, 259],
    description: 'vnode_pager_alloc does not attach a new object to a vnode being reclaimed (VI_DOOMED); it discards it and returns NULL',
  },
];

/**
 * Plausible mistakes a kernel engineer could make; each must be killed by some
 * scenario (properties/mutants.ts). A mutant is the repaired variant plus one
 * of these, so that only the mistake can make a scenario fail.
 */
export const MUTATIONS: readonly Patch[] = [
  /*
   * Removed: 'shift nothing after a failed read-behind allocation' (919-923) leaves NULL slots the INVARIANTS loop
   * dereferences: a crash of the model, not a property violation; 'EOF page taken as fully valid' (1106) cannot
   * change behaviour here: the filesystem keeps the tail of the last block zero on disk, as UFS does.
   */
  { name: 'mut-alloc-no-interlock-recheck', lines: [245], description: 'vnode_pager_alloc attaches its new object without re-checking vp->v_object under the vnode interlock' },
  { name: 'mut-alloc-discard-keeps-ref', lines: [254], description: 'the loser of the allocation race destroys its object without resetting ref_count' },
  { name: 'mut-dealloc-no-disconnect-wakeup', lines: [291, 292, 293, 294], description: 'vnode_pager_dealloc clears OBJ_DISCONNECTWNT but does not wake the waiters' },
  { name: 'mut-dealloc-keeps-writecount', lines: [298], description: 'vnode_pager_dealloc zeroes writemappings but leaves the vnode\'s v_writecount' },
  { name: 'mut-dealloc-no-vunref', lines: [305, 306], description: 'vnode_pager_dealloc does not drop the use references of the remaining object references' },
  { name: 'mut-create-vobject-no-vrele', lines: [150], description: 'vnode_create_vobject drops the object reference but keeps the vnode use reference' },
  { name: 'mut-release-writecount-no-type-recheck', lines: [1388, 1389, 1390, 1391], description: 'vnode_pager_release_writecount does not re-check OBJT_VNODE after locking (a reclaim may have run)' },
  { name: 'mut-release-writecount-fast-path-at-zero', lines: [1398], description: 'the lock-free fast path of release_writecount is taken also when writemappings drops to zero' },
  { name: 'mut-setsize-no-page-remove', lines: [424, 425, 426], description: 'vnode_pager_setsize does not toss the pages past the new EOF' },
  { name: 'mut-setsize-no-zero-tail', lines: [445], description: 'vnode_pager_setsize does not zero the part of the EOF page past the new EOF' },
  { name: 'mut-readbehind-no-blkno-adjust', lines: [930], description: 'the read-behind pages are put in front of the buffer but b_blkno is not moved back over them' },
  { name: 'mut-bmap-error-keeps-pbuf', lines: [811], description: 'generic_getpages returns on a VOP_BMAP error without releasing its pbuf' },
  { name: 'mut-smlfs-keeps-pbuf', lines: [587], description: 'vnode_pager_input_smlfs does not release its pbuf after a block read' },
  { name: 'mut-async-done-wrong-pbuf-counter', lines: [1071], description: 'the asynchronous completion returns its pbuf to the synchronous counter' },
  { name: 'mut-input-old-no-zero-tail', lines: [655, 656, 657], description: 'vnode_pager_input_old does not zero the page past the bytes VOP_READ returned' },
  {
    name: 'mut-putpages-eof-clip-to-sector',
    lines: [1240],
    description: 'generic_putpages clips the write at EOF down to whole sectors: the partial sector holding EOF is not written, yet its page is cleaned past the clip and reported VM_PAGER_OK',
  },
  { name: 'mut-readahead-finish-off-by-one', lines: [1130, 1131], description: 'getpages_done finishes (unbusies) the first requested page as if it were a read-behind page' },
];

export const SEED: Variant = { name: 'seed', kind: 'seed', description: 'vnode_pager.c at 99429157e861 (2017), as shipped', patches: [] };

/** The seed with every repair of REPAIRS. */
export const REPAIRED: Variant = {
  name: 'repaired',
  kind: 'repaired',
  description: 'the seed with the repairs of its findings (traces/findings/)',
  patches: REPAIRS.map((p) => p.name),
};

/** The mutants: the repaired variant plus one mistake each, named after the mistake. */
export const MUTANTS: readonly Variant[] = MUTATIONS.map((m) => ({
  name: m.name,
  kind: 'mutant' as const,
  description: `repaired + ${m.description}`,
  patches: [...REPAIRED.patches, m.name],
}));

const variants: Variant[] = [SEED, REPAIRED, ...MUTANTS];

export function registerVariant(v: Variant): void {
  variants.push(v);
}

export function allVariants(): readonly Variant[] {
  return variants;
}

export class UnknownVariant extends Error {}

export function variantByName(name: string): Variant {
  const v = variants.find((x) => x.name === name);
  if (!v) throw new UnknownVariant(`unknown variant "${name}"; accepted: ${variants.map((x) => x.name).join(', ')}`);
  const known = new Set([...REPAIRS, ...MUTATIONS].map((p) => p.name));
  for (const p of v.patches) if (!known.has(p)) throw new UnknownVariant(`variant "${name}" names undeclared patch "${p}"`);
  return v;
}
