/*
 * `npm run bench -- spin [--budget 60] [--creators 2,3,4,5] [--reductions plain,commuting,lock-aware,refcount]`:
 * the allocation race with 2..5 creators, SPIN (bench/spin/alloc_race.pml,
 * stateful search with its partial-order reduction) beside pagercheck's DPOR
 * under each reduction (bench/reductions.ts), then the bug with the interlock
 * re-check removed (variant mut-alloc-no-interlock-recheck, Promela
 * -DNORECHECK) at 5 creators: time to the first violation. SPIN runs when
 * `spin` and `gcc` are on the PATH (Debian: apt-get install spin gcc); its
 * rows are skipped with a message otherwise. Each run stops at the budget.
 * Times are wall-clock; pagercheck's include building the scenario program.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { explore } from '../checker/explore.ts';
import { DporStrategy } from '../checker/strategies/dpor.ts';
import { PhasedStrategy } from '../checker/strategies/phased.ts';
import { DEFAULT_RANDOM_PHASE } from '../properties/run.ts';
import { allocRace } from './pager.ts';
import { REDUCTIONS, reductionByName, type Reduction } from './reductions.ts';

const MODEL = path.join(path.dirname(fileURLToPath(import.meta.url)), 'spin', 'alloc_race.pml');

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export interface SpinRun {
  readonly states: number;
  readonly transitions: number;
  readonly seconds: number;
  readonly errors: number;
  readonly complete: boolean;
  readonly memoryMB: number;
}

/* Model path for the bundled bench: bench/spin/ beside this file in the sources, or under the working directory. */
function modelPath(): string {
  for (const p of [MODEL, path.resolve('bench/spin/alloc_race.pml')]) if (spawnSync('test', ['-f', p]).status === 0) return p;
  throw new Error('bench spin: bench/spin/alloc_race.pml not found');
}

export function runSpin(creators: number, opts: { readonly norecheck?: boolean; readonly budgetS: number }): SpinRun {
  const dir = mkdtempSync(path.join(tmpdir(), 'pagercheck-spin-'));
  try {
    copyFileSync(modelPath(), path.join(dir, 'alloc_race.pml'));
    const defs = [`-DN=${creators}`, ...(opts.norecheck ? ['-DNORECHECK'] : [])];
    execFileSync('spin', ['-a', ...defs, 'alloc_race.pml'], { cwd: dir, stdio: 'pipe' });
    execFileSync('gcc', ['-O2', '-DSAFETY', '-DMEMLIM=4096', '-o', 'pan', 'pan.c'], { cwd: dir, stdio: 'pipe' });
    const t0 = performance.now();
    const r = spawnSync('./pan', ['-m100000'], { cwd: dir, encoding: 'utf8', timeout: opts.budgetS * 1000, maxBuffer: 1 << 26 });
    const seconds = (performance.now() - t0) / 1000;
    const out = r.stdout ?? '';
    const num = (re: RegExp) => Number((re.exec(out)?.[1] ?? 'NaN').replace(/,/g, ''));
    return {
      states: num(/([\d.e+]+) states, stored/),
      transitions: num(/([\d.e+]+) transitions/),
      seconds,
      errors: num(/errors: (\d+)/),
      complete: r.signal === null && /errors: \d+/.test(out) && !/out of memory|max search depth too small/.test(out),
      memoryMB: num(/([\d.]+)\s+total actual memory usage/),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface CheckRun {
  readonly executions: number;
  readonly cut: number;
  readonly seconds: number;
  readonly complete: boolean;
  readonly violated: boolean;
}

export function runPagercheck(creators: number, reduction: Reduction, opts: { readonly variant?: string; readonly budgetS: number; readonly first?: boolean; readonly randomPhase?: number }): CheckRun {
  const t0 = performance.now();
  const dpor = new DporStrategy(reduction.dpor);
  const o = explore(allocRace(creators, opts.variant ?? 'seed'), {
    // The runner's random phase before DPOR (properties/run.ts), as every default run has it.
    strategy: (opts.randomPhase ?? 0) > 0 ? new PhasedStrategy(dpor, opts.randomPhase!, 0) : dpor,
    stopOnViolation: opts.first ?? false,
    races: false,
    timeBudgetMs: opts.budgetS * 1000,
  });
  return { executions: o.stats.executions, cut: o.stats.cut, seconds: (performance.now() - t0) / 1000, complete: o.stats.complete, violated: o.status === 'violation' };
}

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '?');
const secs = (s: number) => `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;

export async function spinMode(args: readonly string[]): Promise<void> {
  const opt = (name: string, def: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? (args[i + 1] ?? '') : def;
  };
  const budgetS = Number(opt('--budget', '60'));
  if (!(budgetS > 0)) {
    console.error(`bench spin: --budget ${opt('--budget', '')}; accepted: seconds, a positive number`);
    process.exitCode = 2;
    return;
  }
  const creators = opt('--creators', '2,3,4,5').split(',').map(Number);
  if (creators.some((n) => !Number.isInteger(n) || n < 1)) {
    console.error(`bench spin: --creators ${opt('--creators', '')}; accepted: a comma-separated list of integers >= 1`);
    process.exitCode = 2;
    return;
  }
  let reductions: Reduction[];
  try {
    reductions = opt('--reductions', REDUCTIONS.map((r) => r.label).join(',')).split(',').map(reductionByName);
  } catch (e) {
    console.error(`bench spin: ${(e as Error).message}`);
    process.exitCode = 2;
    return;
  }
  const spin = have('spin') && have('gcc');
  if (!spin) console.log('bench spin: `spin` or `gcc` not found (Debian: apt-get install spin gcc): SPIN rows skipped');
  console.log(`alloc race, N create_vobject threads under the shared vnode lock; budget ${budgetS} s per run; wall-clock on a shared machine\n`);
  const rows: string[][] = [['creators', 'SPIN states', 'SPIN transitions', 'SPIN time', 'reduction', 'pagercheck executions', 'sleep-cut', 'pagercheck time', 'ratio time (pagercheck/SPIN)']];
  const spinCell = (s: SpinRun | null): [string, string, string] =>
    s === null ? ['-', '-', '-'] : [fmt(s.states) + (s.complete ? '' : '+'), fmt(s.transitions), secs(s.seconds) + (s.complete ? '' : ' (stopped)')];
  for (const n of creators) {
    const s = spin ? runSpin(n, { budgetS }) : null;
    for (const r of reductions) {
      const p = runPagercheck(n, r, { budgetS });
      rows.push([String(n), ...spinCell(s), r.label, fmt(p.executions) + (p.complete ? '' : '+'), fmt(p.cut), secs(p.seconds) + (p.complete ? '' : ' (stopped)'), s === null ? '-' : `${(p.seconds / s.seconds).toFixed(1)}x${p.complete && s.complete ? '' : ' (not both complete)'}`]);
      printRows(rows.slice(-1), rows[0]!);
    }
  }
  const bugN = 5;
  const s = spin ? runSpin(bugN, { budgetS, norecheck: true }) : null;
  for (const r of reductions) {
    const p = runPagercheck(bugN, r, { budgetS, variant: 'mut-alloc-no-interlock-recheck', first: true });
    rows.push([`${bugN}, re-check removed`, ...spinCell(s), r.label, fmt(p.executions) + (p.violated ? ' (found)' : ' (not found)'), fmt(p.cut), secs(p.seconds), s === null ? '-' : `${(p.seconds / s.seconds).toFixed(1)}x`]);
  }
  const ph = runPagercheck(bugN, reductions.at(-1)!, { budgetS, variant: 'mut-alloc-no-interlock-recheck', first: true, randomPhase: DEFAULT_RANDOM_PHASE });
  rows.push([`${bugN}, re-check removed`, ...spinCell(s), `random phase + ${reductions.at(-1)!.label}`, fmt(ph.executions) + (ph.violated ? ' (found)' : ' (not found)'), fmt(ph.cut), secs(ph.seconds), s === null ? '-' : `${(ph.seconds / s.seconds).toFixed(1)}x`]);
  console.log('');
  printRows(rows.slice(1), rows[0]!, true);
}

function printRows(rows: readonly string[][], head: readonly string[], withHead = false): void {
  const all = [head, ...rows];
  const w = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  if (withHead) {
    console.log(line(head));
    console.log(line(w.map((x) => '-'.repeat(x))));
  }
  for (const r of rows) console.log(line(r));
}
