/*
 * The kill suite Stryker runs per mutant of impl/vnode_pager.ts (not part of
 * `npm test`: the normal include pattern is *.test.ts; its config is
 * mutation.vitest.config.ts). One test per run of mutation.ts's killRuns():
 * it fails when the run violates a property the unmutated port does not
 * violate in the same run, or ends in a harness error.
 */
import { it } from 'vitest';
import { killReason, killRunName, killRuns, loadBaseline, runKill } from './mutation.ts';

const baseline = loadBaseline();

for (const run of killRuns()) {
  const name = killRunName(run);
  it(name, () => {
    const reason = killReason(runKill(run), baseline[name] ?? []);
    if (reason !== null) throw new Error(reason);
  });
}
