/*
 * The compiled seed (variant c, cwasm/) measured (issue 16 items 5 and 7),
 * rows that run only when asked by name, since the exhaustive diff takes
 * minutes:
 *
 *   npm run bench -- cdiff     every catalog scenario and probe that runs on c, diffed exhaustively (DPOR)
 *   npm run bench -- ccost     executions per second of c against the port on the same DPOR searches
 *   npm run bench -- cmain     the main job with and without c (a process each: pagercheck --variant ...)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { explore } from '../checker/explore.ts';
import { diffScenario } from '../cwasm/diff.ts';
import { notRunningOnC } from '../cwasm/reach.ts';
import { CATALOG, PROBES, catalogScenario } from '../properties/catalog.ts';
import { buildProgram } from '../properties/program.ts';
import { registerCustomBench } from './registry.ts';

const asked = (w: string) => process.argv.slice(2).includes(w);
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

if (asked('cdiff'))
  for (const s of [...CATALOG, ...PROBES].filter((x) => notRunningOnC(x) === null))
    registerCustomBench({
      name: `cdiff ${s.name}`,
      group: 'cdiff',
      async run() {
        const t0 = performance.now();
        const r = diffScenario(s);
        return { scenario: s.name, schedules: n(r.schedules), steps: n(r.steps), divergences: n(r.divergences.length), explored: r.complete ? 'complete' : r.stopReason, time: sec(performance.now() - t0) };
      },
    });

/* Scenarios that run on both, from a few executions to a few thousand. */
const COST = ['writemappings-race', 'unlocked-alloc-vs-vgone', 'opens-vs-vgone-vs-alloc', 'alloc-race-3'];

function rate(name: string, variant: string): { executions: number; steps: number; ms: number } {
  const s = catalogScenario(name);
  let executions = 0;
  let steps = 0;
  let ms = 0;
  // Short searches are timed again until a second has passed (warm-up, timer resolution).
  do {
    const o = explore(buildProgram(s, { variant }), { strategy: { kind: 'dpor' }, races: false, stopOnViolation: false, maxSteps: s.bounds?.maxSteps ?? 10_000 });
    executions += o.stats.executions;
    steps += o.stats.steps;
    ms += o.stats.elapsedMs;
  } while (ms < 1000);
  return { executions, steps, ms };
}

if (asked('ccost'))
  for (const name of COST)
    registerCustomBench({
      name: `ccost ${name}`,
      group: 'ccost',
      async run() {
        const p = rate(name, 'seed');
        const c = rate(name, 'c');
        const pr = (p.executions * 1000) / p.ms;
        const cr = (c.executions * 1000) / c.ms;
        const once = explore(buildProgram(catalogScenario(name), { variant: 'c' }), { strategy: { kind: 'dpor' }, races: false, stopOnViolation: false }).stats.executions;
        return { scenario: name, 'DPOR executions': n(once), 'port exec/s': n(pr), 'c exec/s': n(cr), 'c / port': `${(cr / pr).toFixed(2)}x`, 'port steps/s': n((p.steps * 1000) / p.ms), 'c steps/s': n((c.steps * 1000) / c.ms) };
      },
    });

const BIN = fileURLToPath(new URL('../cli/bin.mjs', import.meta.url));

/** The main job in a process of its own; its wall time and the number of runs in its table. */
function mainJob(variants: string): { ms: number; runs: number; code: number } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pagercheck-cmain-'));
  const t0 = performance.now();
  let text = '';
  let code = 0;
  try {
    text = execFileSync(process.execPath, [BIN, '--variant', variants, '--out', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  } catch (e) {
    const x = e as { stdout?: string; status?: number };
    text = x.stdout ?? '';
    code = x.status ?? -1;
  }
  const ms = performance.now() - t0;
  fs.rmSync(out, { recursive: true, force: true });
  const runs = text.split('\n').filter((l) => / (dpor|bounded\(\d+\)|dfs) +[\d,]+ /.test(l)).length;
  return { ms, runs, code };
}

if (asked('cmain'))
  registerCustomBench({
    name: 'cmain',
    group: 'cmain',
    async run() {
      const without = mainJob('seed,repaired');
      const withC = mainJob('seed,repaired,c');
      return {
        case: 'pagercheck --variant seed,repaired[,c]',
        'runs without / with c': `${without.runs} / ${withC.runs}`,
        'wall without c': sec(without.ms),
        'wall with c': sec(withC.ms),
        'c adds': `${(((withC.ms - without.ms) / without.ms) * 100).toFixed(0)}%`,
        'exit codes': `${without.code} / ${withC.code}`,
      };
    },
  });
