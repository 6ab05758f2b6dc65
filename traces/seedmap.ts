/*
 * The seed's functions by line range (the table of /work/shared/seed/README.md),
 * so that a step's seed line (StepRecord.line) can be shown as the function it
 * is in. The one copy of the table: renderers, the report and the CLI use it.
 */

export interface SeedFunction {
  readonly name: string;
  readonly first: number;
  readonly last: number;
}

/** vnode_pager.c at 99429157e861: every function, in line order. */
export const SEED_FUNCTIONS: readonly SeedFunction[] = [
  { name: 'vnode_create_vobject', first: 110, last: 155 },
  { name: 'vnode_destroy_vobject', first: 157, last: 195 },
  { name: 'vnode_pager_alloc', first: 204, last: 270 },
  { name: 'vnode_pager_dealloc', first: 275, last: 308 },
  { name: 'vnode_pager_haspage', first: 310, last: 385 },
  { name: 'vnode_pager_setsize', first: 395, last: 474 },
  { name: 'vnode_pager_addr', first: 480, last: 511 },
  { name: 'vnode_pager_input_smlfs', first: 516, last: 603 },
  { name: 'vnode_pager_input_old', first: 608, last: 667 },
  { name: 'vnode_pager_getpages', first: 681, last: 695 },
  { name: 'vnode_pager_getpages_async', first: 697, last: 711 },
  { name: 'vnode_pager_local_getpages', first: 718, last: 724 },
  { name: 'vnode_pager_local_getpages_async', first: 726, last: 732 },
  { name: 'vnode_pager_generic_getpages', first: 738, last: 1056 },
  { name: 'vnode_pager_generic_getpages_done_async', first: 1058, last: 1072 },
  { name: 'vnode_pager_generic_getpages_done', first: 1074, last: 1138 },
  { name: 'vnode_pager_putpages', first: 1148, last: 1180 },
  { name: 'vnode_pager_generic_putpages', first: 1192, last: 1296 },
  { name: 'vnode_pager_putpages_ioflags', first: 1298, last: 1320 },
  { name: 'vnode_pager_undirty_pages', first: 1322, last: 1343 },
  { name: 'vnode_pager_update_writecount', first: 1345, last: 1372 },
  { name: 'vnode_pager_release_writecount', first: 1374, last: 1422 },
];

/** The seed function whose lines hold `line`, or null (a line between functions, or past the file). */
export function seedFunctionAt(line: number): string | null {
  let lo = 0;
  let hi = SEED_FUNCTIONS.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = SEED_FUNCTIONS[mid]!;
    if (line < f.first) hi = mid - 1;
    else if (line > f.last) lo = mid + 1;
    else return f.name;
  }
  return null;
}

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
