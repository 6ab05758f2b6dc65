/*
 * `pagercheck diff`: the catalog diffed on the port and the compiled seed
 * (bounded here; exhaustively in `npm run bench -- cdiff`), a mutant of the
 * port caught by the command with no property involved, and the refusals.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notRunningOnC } from '../cwasm/reach.ts';
import { CATALOG, PROBES } from '../properties/catalog.ts';
import { memoryIo } from './io.ts';
import { EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_INTERRUPTED, EXIT_OK, EXIT_VIOLATION, main } from './main.ts';
import { runCmd, tempDirs } from './testkit.ts';

const tmp = tempDirs('cdiff-');
const run = runCmd;

describe('pagercheck diff', () => {
  it('diffs every catalog scenario and probe that runs on c (bounded) and lists the others as skipped with the function they reach', async () => {
    const out = tmp();
    const r = await run(['diff', '--max-executions', '12', '--out', out]);
    const all = [...CATALOG, ...PROBES];
    const runs = all.filter((s) => notRunningOnC(s) === null);
    const skipped = all.filter((s) => notRunningOnC(s) !== null);
    expect(runs.length).toBeGreaterThanOrEqual(10);
    for (const s of runs) expect(r.out).toMatch(new RegExp(`^${s.name} +[\\d,]+ +[\\d,]+ +0  (complete|max executions); no divergence$`, 'm'));
    for (const s of skipped) expect(r.out).toContain(`  ${s.name}: ${notRunningOnC(s)!.op} reaches ${notRunningOnC(s)!.fn}`);
    expect(r.out).toContain('no divergence between the port and the compiled seed');
    // Some searches stop at 12 schedules: nothing diverged, but not every schedule was compared.
    expect(r.code).toBe(EXIT_INCOMPLETE);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('exits 0 when a complete search shows no divergence', async () => {
    const r = await run(['diff', 'alloc-race', 'haspage-vs-setsize', '--out', tmp()]);
    expect(r.out).toMatch(/^alloc-race +22 +638 +0  complete; no divergence$/m);
    expect(r.code).toBe(EXIT_OK);
  });

  it('catches a mutant of the port by the comparison alone (no property is checked), and writes the first divergence with both sides', async () => {
    const out = tmp();
    // A mutant of the port (impl/variants.ts: the repaired variant plus a missing interlock re-check in vnode_pager_alloc).
    const r = await run(['diff', 'alloc-race', '--variant', 'mut-alloc-no-interlock-recheck', '--out', out]);
    expect(r.code).toBe(EXIT_VIOLATION);
    const row = /^alloc-race +(\d+) +[\d,]+ +(\d+)  complete; \2 DIVERGE$/m.exec(r.out);
    expect(row).not.toBeNull();
    expect(Number(row![2])).toBeGreaterThan(0);
    expect(Number(row![2])).toBeLessThanOrEqual(Number(row![1]));
    const files = readdirSync(out);
    expect(files).toContain('alloc-race.diff.json');
    expect(files).toContain('alloc-race.diff.txt');
    expect(files.filter((f) => f.endsWith('.diff.json'))).toHaveLength(Number(row![2]));
    const d = JSON.parse(readFileSync(join(out, 'alloc-race.diff.json'), 'utf8'));
    expect(d.portVariant).toBe('mut-alloc-no-interlock-recheck');
    expect(d.schedule.length).toBeGreaterThan(0);
    // Both sides' steps up to and at the divergence: they agree before it, not at it.
    const n = d.portSteps.length;
    expect(n).toBeGreaterThan(1);
    expect(d.cSteps).toHaveLength(n);
    expect(d.portSteps.slice(0, n - 1)).toEqual(d.cSteps.slice(0, n - 1));
    expect(d.portSteps[n - 1]).not.toBe(d.cSteps[n - 1]);
    expect(readFileSync(join(out, 'alloc-race.diff.txt'), 'utf8')).toMatch(/diverges at step \d+ .*\nschedule: T\d/);
  });

  /* A scenario that does not run on c yet: while some function is still refused there (cwasm/cport.ts RUNNING). */
  const refusedOne = [...CATALOG, ...PROBES].find((s) => notRunningOnC(s) !== null);
  it.skipIf(refusedOne === undefined)('refuses, before any search, a named scenario that reaches a function not running on c (one line naming the function and the operation)', async () => {
    const r = await run(['diff', refusedOne!.name, '--out', tmp()]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    const why = notRunningOnC(refusedOne!)!;
    expect(r.err).toContain(`${refusedOne!.name}: ${why.op} reaches ${why.fn}, which does not run on variant c`);
  });

  it('refuses an unknown scenario (naming the accepted ones), c as the port side and an unknown strategy', async () => {
    const u = await run(['diff', 'no-such', '--out', tmp()]);
    expect(u.code).toBe(EXIT_BAD_INPUT);
    expect(u.err).toMatch(/unknown scenario "no-such"; accepted: .*alloc-race/);
    const c = await run(['diff', 'alloc-race', '--variant', 'c', '--out', tmp()]);
    expect(c.code).toBe(EXIT_BAD_INPUT);
    const v = await run(['diff', 'alloc-race', '--variant', 'nope', '--out', tmp()]);
    expect(v.code).toBe(EXIT_BAD_INPUT);
    expect(v.err).toMatch(/unknown variant "nope"/);
    const seed = await run(['diff', 'alloc-race', '--seed', '3', '--out', tmp()]);
    expect(seed.code).toBe(EXIT_BAD_INPUT);
    expect(seed.err).toContain('--seed seeds the pct and random strategies, not dpor');
    const s = await run(['diff', 'alloc-race', '--strategy', 'nope', '--out', tmp()]);
    expect(s.code).toBe(EXIT_BAD_INPUT);
  });

  it('Ctrl-C stops the diff and keeps what was compared (exit 130, the row reads interrupted)', async () => {
    const io = memoryIo();
    // alloc-race-4 takes minutes exhaustively: interrupted well before its end.
    setTimeout(() => io.interrupt(), 400);
    const code = await main(['diff', 'alloc-race-4', '--out', tmp()], io);
    expect(code).toBe(EXIT_INTERRUPTED);
    const row = /^alloc-race-4 +([\d,]+) +[\d,]+ +0  interrupted; no divergence$/m.exec(io.stdout);
    expect(row).not.toBeNull();
    expect(Number(row![1]!.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(io.stdout).toContain('(interrupted)');
  });

  it('runs the sampling strategies too (pct, seeded)', async () => {
    const r = await run(['diff', 'alloc-race', '--strategy', 'pct', '--seed', '5', '--max-executions', '20', '--out', tmp()]);
    expect(r.out).toMatch(/^alloc-race +20 +[\d,]+ +0  max executions; no divergence$/m);
    expect(r.code).toBe(EXIT_OK);
  });
});
