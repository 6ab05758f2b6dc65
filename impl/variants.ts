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

/** Repairs of seed defects, written the way the kernel later fixed them. Filled by traces/findings work. */
export const REPAIRS: readonly Patch[] = [];

/** Plausible mistakes a kernel engineer could make; each must be killed by some scenario. */
export const MUTATIONS: readonly Patch[] = [];

export const SEED: Variant = { name: 'seed', kind: 'seed', description: 'vnode_pager.c at 99429157e861 (2017), as shipped', patches: [] };

const variants: Variant[] = [SEED];

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
