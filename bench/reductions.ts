/*
 * The reductions of issue 15 as named, off-switchable settings of DPOR, for
 * the bench modes (explain, spin, reductions):
 *   plain       dependency without commuting kinds (every write conflicts), no lock-aware races: the search before issue 15
 *   commuting   + shared-lock operations commute with each other, atomic adds with adds (checker/dependency.ts)
 *   lock-aware  + a blocking acquire after a release is reversed against the holder's acquire (strategies/dpor.ts):
 *               no sleep-set blocked executions from lock hand-offs
 *   refcount    + robust reference-count operations commute as adds, under the ownership discipline
 *               (checker/refcount.ts; the search restarts with a counter plain when its discipline fails):
 *   sections    + a lock's critical section whose accesses are declared and guarded runs as one step that
 *               reads the lock (checker/runtime.ts Sections; locks opt in with Op.section): the default of DporStrategy
 * `--reduction NAME` picks one (default sections); `--no-reduction` is plain.
 */
import type { DporOptions } from '../checker/strategies/dpor.ts';

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

export function reductionByName(name: string): Reduction {
  const r = REDUCTIONS.find((x) => x.label === name);
  if (r === undefined) throw new Error(`unknown reduction "${name}"; accepted: ${REDUCTIONS.map((x) => x.label).join(', ')}`);
  return r;
}

export function reductionFromArgs(args: readonly string[]): Reduction {
  if (args.includes('--no-reduction')) return reductionByName('plain');
  const i = args.indexOf('--reduction');
  return reductionByName(i >= 0 ? (args[i + 1] ?? '') : 'sections');
}
