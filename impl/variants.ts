/*
 * Variants of the port. `seed` is the seed as FreeBSD shipped it and the
 * default. A repaired variant is the seed plus a set of named repairs: the
 * port tests `k.patched(NAME)` at the one place each repair changes, so no
 * variant copies the port. A mutant is the repaired variant plus one
 * mistake, and the mistake is data: an edit of the port's text
 * (Mutation.edit), applied to a copy of impl/vnode_pager.ts when the
 * variant is selected (impl/port.ts), so the port's control flow holds the
 * seed and its repairs only.
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
  readonly kind: 'seed' | 'repaired' | 'mutant' | 'compiled';
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
  {
    name: 'putpages-keeps-eof-sector-dirty',
    lines: [1242, 1253, 1254],
    description: 'generic_putpages clears the dirty bits past EOF from the sector after the one holding EOF, so that sector stays dirty until the write reaches it (later FreeBSD rounds pgoff up to DEV_BSIZE)',
  },
  {
    name: 'haspage-small-block-after-whole-pages',
    lines: [380, 381],
    description: 'with blocks smaller than a page, vnode_pager_haspage counts in *after only the pages the contiguous run covers to their last block (or to EOF), not a page the run enters and leaves',
  },
  {
    /* Outside the seed: vfs_default.c's vop_stdgetpages_async, the VOP_GETPAGES_ASYNC of a filesystem without its own (impl/kernel/vfs.ts). */
    name: 'stdgetpages-async-reports-completed',
    lines: [],
    description: 'vop_stdgetpages_async, which completes a failed request through its iodone, reports it taken (VM_PAGER_OK) instead of returning the failure as well, as the repaired generic pager does for its synchronous exits',
  },
];

/** A mistake as an edit of the port's text: `find` occurs exactly once in impl/vnode_pager.ts and becomes `replace`. */
export interface Edit {
  readonly find: string;
  readonly replace: string;
}

export interface Mutation extends Patch {
  readonly edit: Edit;
}

/**
 * Plausible mistakes a kernel engineer could make; each must be killed by some
 * scenario (properties/mutants.ts). A mutant is the repaired variant plus one
 * of these, so that only the mistake can make a scenario fail.
 */
export const MUTATIONS: readonly Mutation[] = [
  /*
   * Removed: 'shift nothing after a failed read-behind allocation' (919-923) leaves NULL slots the INVARIANTS loop
   * dereferences: a crash of the model, not a property violation; 'EOF page taken as fully valid' (1106) cannot
   * change behaviour here: the filesystem keeps the tail of the last block zero on disk, as UFS does.
   * Each edit names the seed line its statement carries, which keeps it unique in the port.
   */
  {
    name: 'mut-alloc-no-interlock-recheck',
    lines: [245],
    description: 'vnode_pager_alloc attaches its new object without re-checking vp->v_object under the vnode interlock',
    edit: { find: 'if (vp.v_object !== null) {\n        /* 245-257', replace: 'if (false) {\n        /* 245-257' },
  },
  {
    name: 'mut-alloc-discard-keeps-ref',
    lines: [254],
    description: 'the loser of the allocation race destroys its object without resetting ref_count',
    edit: { find: 'object.ref_count = 0; /* 254 */', replace: '/* 254 left out */' },
  },
  {
    name: 'mut-dealloc-no-disconnect-wakeup',
    lines: [291, 292, 293, 294],
    description: 'vnode_pager_dealloc clears OBJ_DISCONNECTWNT but does not wake the waiters',
    edit: { find: 'yield* wakeup_object(k, object, 293);', replace: '/* 293 left out */' },
  },
  {
    name: 'mut-dealloc-keeps-writecount',
    lines: [298],
    description: "vnode_pager_dealloc zeroes writemappings but leaves the vnode's v_writecount",
    edit: { find: 'VOP_ADD_WRITECOUNT(k, vp, -1, 298);', replace: '/* 298 left out */' },
  },
  {
    name: 'mut-dealloc-no-vunref',
    lines: [305, 306],
    description: 'vnode_pager_dealloc does not drop the use references of the remaining object references',
    edit: { find: 'for (let r = refs; r-- > 0; ) yield* vunref(k, vp, 306);', replace: '/* 305-306 left out */' },
  },
  {
    name: 'mut-create-vobject-no-vrele',
    lines: [150],
    description: 'vnode_create_vobject drops the object reference but keeps the vnode use reference',
    edit: { find: 'yield* vrele(k, vp, 150);', replace: '/* 150 left out */' },
  },
  {
    name: 'mut-release-writecount-no-type-recheck',
    lines: [1388, 1389, 1390, 1391],
    description: 'vnode_pager_release_writecount does not re-check OBJT_VNODE after locking (a reclaim may have run)',
    edit: { find: 'if (object.type !== OBJT_VNODE) {\n    yield* VM_OBJECT_WUNLOCK(k, object, 1389);', replace: 'if (false) {\n    yield* VM_OBJECT_WUNLOCK(k, object, 1389);' },
  },
  {
    name: 'mut-release-writecount-fast-path-at-zero',
    lines: [1398],
    description: 'the lock-free fast path of release_writecount is taken also when writemappings drops to zero',
    edit: { find: 'if (object.un_pager.vnp.writemappings !== inc) {', replace: 'if (true) {' },
  },
  {
    name: 'mut-setsize-no-page-remove',
    lines: [424, 425, 426],
    description: 'vnode_pager_setsize does not toss the pages past the new EOF',
    edit: { find: 'yield* vm_object_page_remove(k, object, nobjsize, object.size, 0, 425);', replace: '/* 425 left out */;' },
  },
  {
    name: 'mut-setsize-no-zero-tail',
    lines: [445],
    description: 'vnode_pager_setsize does not zero the part of the EOF page past the new EOF',
    edit: { find: 'pmap_zero_page_area(k, m, base, size); /* 445 */', replace: '/* 445 left out */' },
  },
  {
    name: 'mut-readbehind-no-blkno-adjust',
    lines: [930],
    description: 'the read-behind pages are put in front of the buffer but b_blkno is not moved back over them',
    edit: { find: 'bp.b_blkno -= IDX_TO_OFF(i) / DEV_BSIZE; /* 930 */', replace: '/* 930 left out */' },
  },
  {
    name: 'mut-bmap-error-keeps-pbuf',
    lines: [811],
    description: 'generic_getpages returns on a VOP_BMAP error without releasing its pbuf',
    edit: { find: 'yield* relpbuf(k, bp, freecnt, 811);', replace: '/* 811 left out */' },
  },
  {
    name: 'mut-smlfs-keeps-pbuf',
    lines: [587],
    description: 'vnode_pager_input_smlfs does not release its pbuf after a block read',
    edit: { find: "yield* relpbuf(k, bp, 'vnode_pbuf_freecnt', 587);", replace: '/* 587 left out */' },
  },
  {
    name: 'mut-async-done-wrong-pbuf-counter',
    lines: [1071],
    description: 'the asynchronous completion returns its pbuf to the synchronous counter',
    edit: { find: "'vnode_async_pbuf_freecnt', 1071", replace: "'vnode_pbuf_freecnt', 1071" },
  },
  {
    name: 'mut-input-old-no-zero-tail',
    lines: [655, 656, 657],
    description: 'vnode_pager_input_old does not zero the page past the bytes VOP_READ returned',
    edit: { find: 'bzero_page(k, m, count, PAGE_SIZE - count); /* 656 */', replace: '/* 656 left out */;' },
  },
  {
    name: 'mut-putpages-eof-clip-to-sector',
    lines: [1240],
    description: 'generic_putpages clips the write at EOF down to whole sectors: the partial sector holding EOF is not written, yet its page is cleaned past the clip and reported VM_PAGER_OK',
    edit: { find: 'maxsize = object.un_pager.vnp.vnp_size - poffset;', replace: 'maxsize = object.un_pager.vnp.vnp_size - poffset;\n      maxsize &= ~(DEV_BSIZE - 1);' },
  },
  {
    name: 'mut-readahead-finish-off-by-one',
    lines: [1130, 1131],
    description: 'getpages_done finishes (unbusies) the first requested page as if it were a read-behind page',
    edit: { find: 'if (i < bp.b_pgbefore || i >= bp.b_npages - bp.b_pgafter) yield* vm_page_readahead_finish(k, mt, 1131);', replace: 'if (i <= bp.b_pgbefore || i >= bp.b_npages - bp.b_pgafter) yield* vm_page_readahead_finish(k, mt, 1131);' },
  },
];

/** Thrown when a mutation's edit does not apply to the port's text exactly once. */
export class EditMismatch extends Error {}

/** The port's text with mutation `m` applied; its find must occur exactly once (a port edit that breaks it fails loudly). */
export function applyMutation(source: string, m: Mutation): string {
  const at = source.indexOf(m.edit.find);
  if (at < 0) throw new EditMismatch(`mutation ${m.name}: its edit no longer finds ${JSON.stringify(m.edit.find)} in impl/vnode_pager.ts; accepted: text that occurs exactly once there`);
  if (source.indexOf(m.edit.find, at + 1) >= 0) throw new EditMismatch(`mutation ${m.name}: its edit finds ${JSON.stringify(m.edit.find)} more than once in impl/vnode_pager.ts; accepted: text that occurs exactly once there`);
  return source.slice(0, at) + m.edit.replace + source.slice(at + m.edit.find.length);
}

/** The mutation a variant applies (at most one), or null. */
export function mutationOf(v: Variant): Mutation | null {
  const ms = MUTATIONS.filter((m) => v.patches.includes(m.name));
  if (ms.length > 1) throw new UnknownVariant(`variant "${v.name}" names ${ms.length} mutations (${ms.map((m) => m.name).join(', ')}); accepted: at most one`);
  return ms[0] ?? null;
}

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

/*
 * The seed's C itself, compiled to WebAssembly and run on the same kernel
 * (cwasm/). Selected by name only: not among allVariants() (so not in
 * `--variant all` or the main job) until it runs every function of the seed
 * (cwasm/README.md says which run).
 */
export const COMPILED: Variant = { name: 'c', kind: 'compiled', description: 'seed/vnode_pager.c compiled to WebAssembly (cwasm/), on the simulated kernel', patches: [] };

export function registerVariant(v: Variant): void {
  variants.push(v);
}

export function allVariants(): readonly Variant[] {
  return variants;
}

export class UnknownVariant extends Error {}

export function variantByName(name: string): Variant {
  const v = [...variants, COMPILED].find((x) => x.name === name);
  if (!v) throw new UnknownVariant(`unknown variant "${name}"; accepted: ${[...variants, COMPILED].map((x) => x.name).join(', ')}`);
  const known = new Set([...REPAIRS, ...MUTATIONS].map((p) => p.name));
  for (const p of v.patches) if (!known.has(p)) throw new UnknownVariant(`variant "${name}" names undeclared patch "${p}"`);
  return v;
}
