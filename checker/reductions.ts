/*
 * DPOR's reductions (issue 15) as named, cumulative settings, one list for
 * the CLI (`explore --reduction NAME`) and the benches:
 *   plain       every write conflicts, no lock-aware races: the search before issue 15
 *   commuting   + shared-lock operations commute with each other, atomic adds with adds (dependency.ts)
 *   lock-aware  + a blocking acquire after a release is reversed against the holder's acquire
 *               (strategies/dpor.ts): no sleep-set blocked executions from lock hand-offs
 *   refcount    + robust reference-count operations commute as adds, under the ownership discipline
 *               (refcount.ts; the search restarts with a counter plain when its discipline fails)
 *   sections    + a critical section whose accesses are declared and guarded runs as one step that reads
 *               the lock (runtime.ts Sections; locks opt in with Op.section): DporStrategy's default
 * Each is sound on its own; the names exist to compare them (off switches).
 */
import type { DporOptions } from './strategies/dpor.ts';

export interface Reduction {
  readonly label: string;
  readonly dpor: DporOptions;
}

export const REDUCTIONS: readonly Reduction[] = [
  { label: 'plain', dpor: { relation: 'plain', lockAware: false, refcounts: false, sections: false } },
  { label: 'commuting', dpor: { relation: 'commuting', lockAware: false, refcounts: false, sections: false } },
  { label: 'lock-aware', dpor: { relation: 'commuting', lockAware: true, refcounts: false, sections: false } },
  { label: 'refcount', dpor: { relation: 'commuting', lockAware: true, refcounts: true, sections: false } },
  { label: 'sections', dpor: { relation: 'commuting', lockAware: true, refcounts: true, sections: true } },
];

/** The default: every reduction on. */
export const DEFAULT_REDUCTION = 'sections';

export const REDUCTION_NAMES: readonly string[] = REDUCTIONS.map((r) => r.label);

export function reductionByName(name: string): Reduction {
  const r = REDUCTIONS.find((x) => x.label === name);
  if (r === undefined) throw new RangeError(`unknown reduction "${name}"; accepted: ${REDUCTION_NAMES.join(', ')}`);
  return r;
}
