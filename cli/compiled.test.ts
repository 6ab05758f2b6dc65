/*
 * Variant c (the compiled seed) in every command: scenarios that reach a
 * function not yet running on c are refused before the search when named and
 * skipped (listed) with the whole catalog; the seed's expected findings are
 * expected, and found, on c; hunt skips and counts the generated scenarios
 * that do not run there; mutants refuses --variant in one line.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notRunningOnC } from '../cwasm/reach.ts';
import { CATALOG, PROBES, catalogScenario } from '../properties/catalog.ts';
import { EXPECTED_VIOLATIONS } from '../properties/expectations.ts';
import { runScenario } from '../properties/run.ts';
import { hunt } from './hunt.ts';
import { runCmd, tempDirs } from './testkit.ts';
import { EXIT_BAD_INPUT, EXIT_VIOLATION } from './main.ts';

const tmp = tempDirs('cvariant-');
const run = runCmd;

const ALL = [...CATALOG, ...PROBES];
/* Only while some function is still refused on c (cwasm/cport.ts RUNNING). */
const offC = ALL.find((s) => notRunningOnC(s) !== null);

describe('variant c in every command', () => {
  it.skipIf(offC === undefined)('explore refuses a named scenario that does not run on c before the search, in one line naming the operation and the function', async () => {
    const r = await run(['explore', offC!.name, '--variant', 'seed,c', '--out', tmp()]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    const why = notRunningOnC(offC!)!;
    expect(r.err).toContain(`${offC!.name}: ${why.op} reaches ${why.fn}, which does not run on variant c`);
    expect(r.out).toBe('');
  });

  it.skipIf(offC === undefined)('explore of the whole catalog on c skips those scenarios and lists them', async () => {
    const r = await run(['explore', '--variant', 'c', '--max-executions', '2', '--no-random-phase', '--minimize', '0', '--out', tmp()]);
    expect(r.err).toMatch(/variant c skips \d+ of \d+ scenarios that reach a function not running on the compiled seed yet: /);
    expect(r.err).toContain(`${offC!.name} (${notRunningOnC(offC!)!.fn})`);
    expect(r.out).not.toMatch(new RegExp(`^${offC!.name} `, 'm'));
    expect(r.out).not.toContain('ERROR');
  });

  /* The seed's expected findings, on the scenarios that run on c: found there, and read as expected. */
  const expectedHere = Object.keys(EXPECTED_VIOLATIONS.seed)
    .map((n) => catalogScenario(n))
    .filter((s) => notRunningOnC(s) === null);
  it.each(expectedHere.map((s) => [s.name, s] as const))('finds on c what the seed finds: %s', (_n, s) => {
    const r = runScenario({ scenario: s, variant: 'c' });
    expect(r.error).toBeUndefined();
    expect(r.complete).toBe(true);
    expect([...r.violated].sort()).toEqual([...EXPECTED_VIOLATIONS.seed[s.name]!].sort());
    expect(r.unexpected).toEqual([]);
  });

  it('explore and replay on c: the seed finding reads expected, and its trace replays on c', async () => {
    const out = tmp();
    const r = await run(['explore', 'unlocked-haspage-vs-setsize', '--variant', 'c', '--minimize', '0', '--out', out]);
    expect(r.code).toBe(EXIT_VIOLATION);
    expect(r.out).toMatch(/^unlocked-haspage-vs-setsize +c +dpor .*VIOLATED kernel-assertions-hold, haspage-agrees-with-bmap \(\d+ counterexamples; expected\)$/m);
    const files = readdirSync(out).filter((f) => f.endsWith('.trace.json'));
    expect(files.length).toBeGreaterThan(0);
    const rep = await run(['replay', join(out, files[0]!)]);
    expect(rep.code).toBe(EXIT_VIOLATION);
    expect(rep.err).toContain('the same violation');
  });

  it('the main job takes --variant c: every catalog scenario that runs on c, the seed\'s findings read expected', async () => {
    const r = await run(['--variant', 'c', '--max-executions', '2', '--no-random-phase', '--minimize', '0', '--out', tmp()]);
    const rows = r.out.split('\n').filter((l) => / c +(dpor|bounded\(\d+\)) /.test(l));
    expect(rows).toHaveLength(CATALOG.filter((s) => notRunningOnC(s) === null).length);
    expect(r.out).toContain('no unexpected violation.');
    expect(r.out).not.toContain('UNEXPECTED');
    expect(rows.some((l) => l.endsWith('; expected)'))).toBe(true);
    // Two executions each: searches stopped early, nothing unexpected (exit 4, not 1 or 3).
    expect(r.code).toBe(4);
  });

  it('hunt on c explores only generated scenarios that run there (no harness error), and counts the ones it skips', async () => {
    const r = await hunt({ seconds: 3600, seed: 3, variant: 'c', callers: 'lawful', maxScenarios: 6, maxExecutions: 40, spec: false, out: tmp(), now: () => 0 });
    expect(r.errors).toBe(0);
    expect(r.scenarios + r.skipped).toBe(6);
    expect(r.scenarios).toBeGreaterThan(0);
  });

  it('mutants refuses --variant in one line (a mutant is an edit of the port; diff compares one with the C)', async () => {
    const r = await run(['mutants', '--variant', 'c']);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('pagercheck diff SCENARIO --variant MUTANT');
  });
});
