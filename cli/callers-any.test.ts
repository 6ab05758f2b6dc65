import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runOne } from './run.ts';
import { lawful } from '../properties/generate.ts';
import { parseScenario, type ScenarioInput } from '../properties/scenario.ts';

/*
 * Triage of what `hunt --variant repaired --callers any` found (seed 5, 3 min, 433 scenarios): 7 violations on the
 * repaired variant, kept shrunk in traces/findings/callers-any/. Each is a caller-precondition issue, not a defect of
 * the pager: the same scenario with every operation made to follow the 2017 callers' locking (generate.ts `lawful`:
 * the vnode lock for alloc, getpages, setsize, putpages; VOP_RECLAIM only inside vgone) shows nothing.
 */
const DIR = join(import.meta.dirname, '..', 'traces', 'findings', 'callers-any');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.scenario.json')).sort();

/* As the hunt explores a scenario: DPOR up to 1000 executions, spec on, race detector off. */
async function violated(input: ScenarioInput): Promise<readonly string[]> {
  const r = await runOne({ scenario: parseScenario(input), variant: 'repaired', bounds: { strategy: 'dpor', maxExecutions: 1000 }, checks: { spec: true, races: false }, first: false, minimizeMs: 0 });
  return r.violated;
}

describe('the --callers any hunt of the repaired variant: caller preconditions', () => {
  it('keeps the 7 shrunk scenarios', () => expect(FILES).toHaveLength(7));

  for (const f of FILES) {
    const input = JSON.parse(readFileSync(join(DIR, f), 'utf8')) as ScenarioInput & { description: string };
    const property = /: ([^@]+)@/.exec(input.description)![1]!;
    it(`${f}: ${property} violated with the unlocked caller, nothing with the 2017 locking`, async () => {
      expect(await violated(input)).toContain(property);
      const fixed = { ...input, threads: input.threads.map((t) => ({ ...t, ops: t.ops.map(lawful) })) };
      expect(JSON.stringify(fixed)).not.toBe(JSON.stringify(input));
      expect(await violated(fixed)).toEqual([]);
    });
  }
});
