/*
 * The hunt: generated scenarios under a seed, each new violation shrunk and
 * written as a trace plus its scenario. The same seed hunts the same way; what
 * it writes loads back and reproduces the violation it is named after.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../properties/scenario.ts';
import { loadTrace, replayTrace } from '../traces/trace.ts';
import { hunt, violationKeys, type HuntOptions } from './hunt.ts';
import { runOne } from './run.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/* Stopped by count, never by the clock: the clock is held still. */
function opts(out: string, over: Partial<HuntOptions> = {}): HuntOptions {
  return { seconds: 3600, seed: 3, variant: 'seed', callers: 'lawful', maxScenarios: 7, maxExecutions: 300, spec: true, out, now: () => 0, ...over };
}

describe('pagercheck hunt', () => {
  it('finds a seed defect, writes its shrunk scenario and trace, and both reproduce it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hunt-'));
    dirs.push(out);
    const r = await hunt(opts(out));
    expect(r.stoppedBy).toBe('scenarios');
    expect(r.scenarios).toBe(7);
    expect(r.errors).toBe(0);
    expect(r.findings.length).toBeGreaterThan(0);
    for (const f of r.findings) {
      expect(f.files.every((p) => existsSync(p))).toBe(true);
      const scenario = parseScenario(JSON.parse(readFileSync(f.files[0]!, 'utf8')));
      const again = await runOne({ scenario, variant: 'seed', bounds: { strategy: 'dpor', maxExecutions: 300 }, checks: { spec: true, races: false }, first: false, minimizeMs: 0 });
      expect(violationKeys(again).map((v) => v.key)).toContain(f.key);
      const trace = loadTrace(f.files[1]!);
      expect(replayTrace(trace).sameViolation).toBe(true);
      // Shrunk: no larger than what generate.ts draws, and usually much smaller.
      expect(f.scenario.threads.reduce((n, t) => n + t.ops.length, 0)).toBeLessThanOrEqual(9);
    }
  }, 300_000);

  it('is reproducible: the same seed finds the same violations in the same shrunk scenarios', async () => {
    const a = await hunt(opts(mkdtempSync(join(tmpdir(), 'hunt-')), { spec: false }));
    const b = await hunt(opts(mkdtempSync(join(tmpdir(), 'hunt-')), { spec: false }));
    expect(a.findings.length).toBeGreaterThan(0);
    expect(b.executions).toBe(a.executions);
    expect(b.findings.map((f) => [f.key, f.path, JSON.stringify(f.scenario)])).toEqual(a.findings.map((f) => [f.key, f.path, JSON.stringify(f.scenario)]));
  }, 300_000);

  it('stops when interrupted and says so', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await hunt(opts(mkdtempSync(join(tmpdir(), 'hunt-')), { signal: ac.signal }));
    expect(r.stoppedBy).toBe('interrupted');
    expect(r.scenarios).toBe(0);
  });
});
