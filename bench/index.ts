/*
 * `npm run bench`: one table row per registered case (bench/registry.ts):
 * executions and steps under naive DFS and under DPOR, DPOR's executions
 * against the Mazurkiewicz trace count, steps per second, heap used, and the
 * checker's cost per step against the same program stepped bare. Then the
 * memory check: heap after 10^5 and after 10^6 executions of one search.
 *
 *   npm run bench                 all rows and the memory check
 *   npm run bench -- --quick      the memory check at 10^4 / 10^5
 *   npm run bench -- shared       only rows whose name contains "shared"
 *   npm run bench -- memory [--quick]   the memory check alone
 *   npm run bench -- first-bug    executions and seconds to each known bug (bench/firstbug.ts)
 *   npm run bench -- cdiff | ccost | cmain   the compiled seed: exhaustive diff, its cost, the main job with c (bench/cdiff.ts)
 *
 * Figures are wall-clock on whatever else the machine is doing; run twice.
 * `npm run bench` runs under tsx, whose loader wraps every named closure in
 * a naming shim (esbuild keepNames); program code that creates closures per
 * step (the kernel's lock Ops do) pays for it in both columns alike.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { explore } from '../checker/explore.ts';
import { countTraces } from '../checker/mazurkiewicz.ts';
import { bareRate, runtimeRate } from './bare.ts';
import type { Program } from '../checker/runtime.ts';
import { checkedProgram } from '../traces/checked.ts';
import { allocRaceScenario } from './pager.ts';
import { sharedWriters } from '../checker/examples.ts';
import { benchCases, customBenches, type BenchCase } from './registry.ts';
import './tiny.ts';
import './scale.ts';
import './classic.ts';
import './pagerrows.ts';
import './cdiff.ts';
// Modules of further cases register themselves when imported here.

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapMB(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/* ---- the table ---- */

interface Row {
  readonly [col: string]: string;
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtRate = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);

function measure(c: BenchCase): Row {
  const max = c.maxExecutions ?? 2_000_000;
  const races = c.races ?? true;
  const base = { stopOnViolation: false, maxExecutions: max, races, ...(c.stepCheck ? { stepCheck: c.stepCheck } : {}) };
  let dfsExec = '-';
  let dfsSteps = '-';
  if (c.dfs === true) {
    const d = explore(c.program(), { ...base, strategy: { kind: 'dfs' } });
    dfsExec = fmtInt(d.stats.executions) + (d.stats.complete ? '' : '+');
    dfsSteps = fmtInt(d.stats.steps);
  }
  const traces = c.traces ?? (c.dfs === true ? countTraces(c.program(), max) : undefined);
  heapMB();
  const o = explore(c.program(), { ...base, strategy: { kind: 'dpor' } });
  const heapEnd = process.memoryUsage().heapUsed / 2 ** 20;
  const heapLive = heapMB();
  const s = o.stats;
  const ran = s.executions + s.cut;
  // A short search is mostly warm-up: time it again until half a second has passed.
  let dporRate = s.stepsPerSec;
  if (s.elapsedMs < 1000) {
    let steps = 0;
    let ms = 0;
    while (ms < 500) {
      const r = explore(c.program(), { ...base, strategy: { kind: 'dpor' } });
      steps += r.stats.steps;
      ms += r.stats.elapsedMs;
    }
    dporRate = steps / (ms / 1000);
  }
  const bare = bareRate(c.program());
  const rt = runtimeRate(c.program());
  return {
    case: c.name,
    traces: traces === undefined ? '?' : fmtInt(traces),
    'dfs exec': dfsExec,
    'dfs steps': dfsSteps,
    'dpor exec': fmtInt(s.executions) + (s.complete ? '' : '+'),
    'sleep-cut': fmtInt(s.cut),
    'dpor steps': fmtInt(s.steps),
    'exec/traces': traces === undefined ? '?' : (s.executions / traces).toFixed(2),
    '(+cut)/traces': traces === undefined ? '?' : (ran / traces).toFixed(2),
    'dpor steps/s': fmtRate(dporRate),
    'runtime steps/s': fmtRate(rt),
    'bare steps/s': fmtRate(bare),
    'ns/step dpor': (1e9 / dporRate).toFixed(0),
    'ns/step bare': (1e9 / bare).toFixed(0),
    overhead: `${(bare / dporRate).toFixed(1)}x`,
    'heap MB end/live': `${heapEnd.toFixed(1)}/${heapLive.toFixed(1)}`,
    ...(o.status === 'error' ? { error: o.error.message.split('\n')[0]! } : {}),
  };
}

function printTable(rows: readonly Row[]): void {
  if (rows.length === 0) return;
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((x, i) => (i === 0 ? x.padEnd(width[i]!) : x.padStart(width[i]!))).join('  ');
  console.log(line(cols));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => r[c] ?? '')));
}

/* ---- memory: heap does not grow with the number of executions ---- */

/*
 * Heap after `first` and after `second` executions of one search (two full
 * collections before each reading): flat when per-execution state is reused
 * rather than kept (traces, interned strings, violation lists, coverage).
 */
function memoryCheck(label: string, p: Program<unknown>, first: number, second: number, races: boolean): number {
  const marks = new Map<number, number>();
  let n = 0;
  const t0 = performance.now();
  // Counted in executions run to their end (sleep-set cut ones are not told), so the search stops itself at the second mark.
  const stop = new AbortController();
  const o = explore(p, {
    races,
    stopOnViolation: false,
    signal: stop.signal,
    onExecution: () => {
      n++;
      if (n === first || n === second) marks.set(n, heapMB());
      if (n === second) stop.abort();
    },
  });
  const secs = (performance.now() - t0) / 1000;
  const a = marks.get(first) ?? NaN;
  const b = marks.get(second) ?? NaN;
  console.log(
    `memory (${label}): heap ${a.toFixed(2)} MB after ${fmtInt(first)} executions, ${b.toFixed(2)} MB after ${fmtInt(second)}: ratio ${(b / a).toFixed(3)} (target <= ${MEMORY_TARGET}${b / a <= MEMORY_TARGET ? '' : ', MISSED'}); ` +
      `${fmtInt(o.stats.steps)} steps in ${secs.toFixed(1)} s, ${fmtRate(o.stats.stepsPerSec)} steps/s${o.stats.complete ? ' (search complete before the second mark: no reading)' : ''}`,
  );
  return b / a;
}

/** Issue 15 item 7: heap after 10^6 executions within 10% of the heap after 10^5. */
const MEMORY_TARGET = 1.1;

function memoryChecks(quick: boolean): void {
  const [first, second] = quick ? [10_000, 100_000] : [100_000, 1_000_000];
  console.log('');
  // C(24, 12) = 2,704,156 traces: the search is nowhere near done at 10^6.
  memoryCheck('sharedWriters(12), DPOR, data races on', sharedWriters(12), first, second, true);
  // The pager with its spec machines in lock-step, as the main job runs it. Six creators: the 4-creator race
  // completes in ~0.5M executions (fewer as the reductions land), and a search that ends before the mark reads nothing.
  memoryCheck('alloc-race with 6 creators, DPOR, spec on', checkedProgram(allocRaceScenario(6), 'seed', { spec: true, races: false }).program as Program<unknown>, first, second, false);
}

function main(): void {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const filter = args.filter((a) => !a.startsWith('--'));
  const selected = benchCases().filter((c) => filter.length === 0 || filter.some((f) => c.name.includes(f)));
  console.log(`pagercheck bench: node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
  console.log('exec = complete executions; sleep-cut = DPOR executions cut as sleep-set blocked; "+" = stopped at the cap, not complete;');
  console.log('overhead = ns per step under DPOR with every check on (data races, deadlock, step bound) / ns per step of bare generator stepping of the same program.\n');
  const groups = [...new Set(selected.map((c) => c.group))];
  for (const g of groups) {
    console.log(`[${g}]`);
    printTable(selected.filter((c) => c.group === g).map(measure));
    console.log('');
  }
  if (filter.length === 0) memoryChecks(quick);
}

/* Rows measured by their own code (bench/scale.ts): after the tables, as they are async and use worker threads. */
async function customRows(): Promise<void> {
  const filter = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const selected = customBenches().filter((c) => filter.length === 0 || filter.some((f) => c.name.includes(f) || c.group === f));
  for (const g of [...new Set(selected.map((c) => c.group))]) {
    console.log(`\n[${g}]`);
    for (const c of selected.filter((x) => x.group === g)) printTable([await c.run()]);
  }
}

/* Modes (issue 15): `npm run bench -- explain ...`, `spin ...`, `classic`, `first-bug` run instead of the table. */
const MODES: Record<string, (args: readonly string[]) => Promise<void>> = {
  explain: async (a) => (await import('./explain.ts')).explainMode(a),
  spin: async (a) => (await import('./spin.ts')).spinMode(a),
  classic: async () => (await import('./classic.ts')).classicMode(),
  'first-bug': async (a) => (await import('./firstbug.ts')).firstBugMode(a),
  memory: async (a) => memoryChecks(a.includes('--quick')),
};
const mode = MODES[process.argv[2] ?? ''];
if (mode !== undefined) await mode(process.argv.slice(3));
else {
  main();
  await customRows();
}
