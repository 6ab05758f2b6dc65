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
    name: 'alloc-refuses-doomed-vnode',
    lines: [244, 245, 259],
    description: 'vnode_pager_alloc does not attach a new object to a vnode being reclaimed (VI_DOOMED); it discards it and returns NULL',
  },
];

/** Plausible mistakes a kernel engineer could make; each must be killed by some scenario. */
export const MUTATIONS: readonly Patch[] = [];

export const SEED: Variant = { name: 'seed', kind: 'seed', description: 'vnode_pager.c at 99429157e861 (2017), as shipped', patches: [] };

/** The seed with every repair of REPAIRS. */
export const REPAIRED: Variant = {
  name: 'repaired',
  kind: 'repaired',
  description: 'the seed with the repairs of its findings (traces/findings/)',
  patches: REPAIRS.map((p) => p.name),
};

const variants: Variant[] = [SEED, REPAIRED];

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
