/*
 * The reductions of issue 15 (checker/reductions.ts: plain, commuting, lock-aware, refcount, sections) for the
 * bench modes (explain, spin, reductions): `--reduction NAME` picks one (default sections); `--no-reduction` is plain.
 */
import { DEFAULT_REDUCTION, reductionByName, type Reduction } from '../checker/reductions.ts';

export { REDUCTIONS, reductionByName, type Reduction } from '../checker/reductions.ts';

export function reductionFromArgs(args: readonly string[]): Reduction {
  if (args.includes('--no-reduction')) return reductionByName('plain');
  const i = args.indexOf('--reduction');
  return reductionByName(i >= 0 ? (args[i + 1] ?? '') : DEFAULT_REDUCTION);
}
