/*
 * Seed lines for people: the function a seed line is in, and where a step
 * runs. The function table is parsed from the vendored C (seed/seed.ts).
 */
import { seedFunctionAt, seedFunctions, type SeedFunction } from '../seed/seed.ts';

export { seedFunctionAt, type SeedFunction };

/** vnode_pager.c at 99429157e861: every function, in line order. */
export const SEED_FUNCTIONS: readonly SeedFunction[] = seedFunctions();

/**
 * Where a step runs, for people: "vnode_pager_haspage:347" for a seed line,
 * "seed line 90" for a seed line outside every function, "(vm_fault)" for a
 * step of a caller outside the seed, "" when nothing is known.
 */
export function whereText(step: { readonly line?: number | undefined; readonly fn?: string | undefined }): string {
  if (step.line !== undefined) {
    const f = seedFunctionAt(step.line);
    return f !== null ? `${f}:${step.line}` : `seed line ${step.line}`;
  }
  if (step.fn !== undefined) return `(${step.fn})`;
  return '';
}
