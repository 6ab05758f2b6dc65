/*
 * `npm run bench -- explain [alloc-race-N] [--max-executions N] [--reduction plain|commuting|lock-aware|refcount] [--no-reduction]`:
 * runs DPOR on the allocation race with N creators (default 3) and prints,
 * per pair of operations, how many backtrack points their dependency caused
 * (checker/strategies/explain.ts), then per resource, each classified as a
 * real dependency of the kernel or an artifact of the model.
 */
import { explore } from '../checker/explore.ts';
import { DporStrategy } from '../checker/strategies/dpor.ts';
import { RaceTally } from '../checker/strategies/explain.ts';
import { allocRace, allocRaceCreators } from './pager.ts';
import { reductionFromArgs } from './reductions.ts';

/* Why a resource orders the creators' steps: pager knowledge, so here and not in the checker. */
export function classify(res: string): string {
  if (/^lock:vp\d+\.lock$/.test(res)) return 'real only against an exclusive holder: shared acquire/release commute with each other (the commuting relation); none left in the alloc race';
  if (/^lock:vp\d+\.interlock$/.test(res)) return 'real: VI_LOCK serialises the v_object check-and-set of vnode_pager_alloc (seed 245-257)';
  if (/\.v_object$/.test(res)) return 'real: the race itself (unlocked read of v_object vs the winner setting it)';
  if (/\.(v_usecount|v_holdcnt)$/.test(res))
    return 'artifact while every thread holds what it releases: the refcount reduction (checker/refcount.ts) makes vrefact, the fast paths of vrele/vdrop and the KASSERT at seed 232 adds (none left in the alloc race); what remains is real: a slow path, the last reference, or a discipline that failed (a thread dropping a reference it was given)';
  if (/^zone:/.test(res)) return 'model artifact: allocation order names the objects (obj1, obj2); the allocations themselves commute up to renaming';
  if (/^lock:obj\d+$/.test(res))
    return 'real lock, artifact in effect: what is left of the alloc race is here. The sections on the winning object (ref_count++ at seed 262, ref_count-- at 148, OBJ_DEAD read) commute with each other, but they are not merged (checker/runtime.ts Sections): the acquire step also makes the unlocked v_usecount read of seed 232 and the release step vrefact\'s v_type read (268), two non-movers, so the object lock does not opt in and each acquisition writes it; merging needs a finer mover test (robust count reads as adds, a word nobody writes)';
  if (/^obj\d+\.(ref_count|flags)$/.test(res)) return 'real, and ordered by the object lock as well: declared guarded by it (seed 226, 254, 262), so the same pairs also conflict on lock:objN';
  if (/^chan:/.test(res)) return 'real: sleep/wakeup on the object (vodead)';
  return 'real';
}

export async function explainMode(args: readonly string[]): Promise<void> {
  const name = args.find((a) => !a.startsWith('--')) ?? 'alloc-race-3';
  const creators = allocRaceCreators(name);
  if (creators === null) {
    console.error(`explain: unknown case "${name}"; accepted: alloc-race-N (N >= 1)`);
    process.exitCode = 2;
    return;
  }
  const mi = args.indexOf('--max-executions');
  const maxExecutions = mi >= 0 ? Number(args[mi + 1]) : 200_000;
  if (!(maxExecutions > 0)) {
    console.error(`explain: --max-executions ${args[mi + 1]}; accepted: a positive integer`);
    process.exitCode = 2;
    return;
  }
  const reduction = reductionFromArgs(args);
  const tally = new RaceTally();
  const dpor = new DporStrategy({ explain: tally, ...reduction.dpor });
  const o = explore(allocRace(creators), { strategy: dpor, stopOnViolation: false, races: false, maxExecutions });
  const s = o.stats;
  console.log(`${name} (${reduction.label}): ${s.executions.toLocaleString('en-US')} executions${s.complete ? ', complete' : ` (stopped: ${s.stopReason})`}, ${s.cut} sleep-set blocked, ${(s.elapsedMs / 1000).toFixed(1)} s; ${tally.total().toLocaleString('en-US')} backtrack points`);
  for (const f of dpor.refcountFailures()) console.log(`refcount reduction off for ${f.res}: ${f.why}`);
  console.log('\nbacktracks  covered  notCoEn  first step  x  second step  [resources]');
  for (const p of tally.pairs().slice(0, 30))
    console.log(`${String(p.backtracks).padStart(10)}  ${String(p.outcomes.covered).padStart(7)}  ${String(p.outcomes.notCoEnabled).padStart(7)}  ${p.first}  x  ${p.second}  [${p.resources}]`);
  console.log('\nbacktrack points by resource:');
  for (const [r, n] of tally.byResource()) console.log(`${String(n).padStart(10)}  ${r}: ${classify(r)}`);
}
