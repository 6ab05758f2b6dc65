/*
 * Generated mutation score of the port (issue 13 item 6), a benchmark:
 *   npm run mutation -- --slice vnode_pager_alloc[,FN...]   one or more port functions
 *   npm run mutation -- --lines 321-425                    a line range of impl/vnode_pager.ts
 *   npm run mutation                                       the whole file (hours on 2 cores)
 *   npm run mutation -- --report                           re-read the last run's report
 * Options: --concurrency N (Stryker's worker processes, default 1: a kill
 * suite run is single-threaded and other work shares the cores).
 * Each run's report is kept as reports/mutation/SLICE.json (SLICE: the
 * functions or lines), which --report with the same slice re-reads.
 *
 * Measures the unmutated port's violations per kill run (properties/mutation.ts) into
 * reports/mutation-baseline.json, runs Stryker 9.4 (stryker.config.json) on
 * the slice with that baseline, then prints the score, every survivor and
 * why it survives (properties/survivors.ts's classification; unclassified ones are
 * listed as such). Score: killed / (mutants - equivalent - unreachable), the
 * unreachable ones (code no caller of the era runs) also shown counted as
 * survivors; a timeout counts
 * as killed (a mutant that hangs the kernel), shown apart, as are kills by a
 * harness error.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PORT_PATH, analyzePort, portFunctions } from '../impl/citations.ts';
import { BASELINE_ENV, PORT, measureBaseline } from '../properties/mutation.ts';
import { mutatePatterns } from '../properties/mutation-slice.ts';
import { classifySurvivor, type SurvivorClass } from '../properties/survivors.ts';
import { KILL_ENV } from './mutation-env.ts';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const REPORT = path.join(ROOT, 'reports/mutation/mutation.json');
const BASELINE = path.join(ROOT, 'reports/mutation-baseline.json');

function bad(msg: string): never {
  console.error(`mutation: ${msg}`);
  process.exit(2);
}

interface Args {
  ranges: { from: number; to: number; label: string }[];
  concurrency: number;
  reportOnly: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const fns = portFunctions();
  const a: Args = { ranges: [], concurrency: 1, reportOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const o = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) bad(`${o} needs a value`);
      return v;
    };
    if (o === '--slice') {
      for (const name of val().split(',')) {
        const f = fns.find((x) => x.name === name);
        if (!f) bad(`unknown function "${name}" for --slice; accepted: ${fns.map((x) => x.name).join(', ')}`);
        a.ranges.push({ from: f.from, to: f.to, label: f.name });
      }
    } else if (o === '--lines') {
      const v = val();
      const m = /^(\d+)-(\d+)$/.exec(v);
      if (!m || Number(m[1]) < 1 || Number(m[2]) < Number(m[1])) bad(`--lines "${v}" is not a range FROM-TO of lines of ${PORT} (1 <= FROM <= TO)`);
      a.ranges.push({ from: Number(m[1]), to: Number(m[2]), label: `lines ${v}` });
    } else if (o === '--concurrency') {
      const v = val();
      if (!/^[1-8]$/.test(v)) bad(`--concurrency "${v}" is not a number of processes from 1 to 8`);
      a.concurrency = Number(v);
    } else if (o === '--report') {
      a.reportOnly = true;
    } else bad(`unknown option "${o}"; accepted: --slice FN[,FN...], --lines FROM-TO, --concurrency N, --report`);
  }
  return a;
}

/* The mutation-testing-report-schema fields read here. */
interface Mutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly location: { readonly start: { readonly line: number; readonly column: number }; readonly end: { readonly line: number; readonly column: number } };
  readonly status: 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';
  readonly statusReason?: string;
  readonly killedBy?: readonly string[];
  readonly coveredBy?: readonly string[];
}
interface Report {
  readonly files: Readonly<Record<string, { readonly source: string; readonly mutants: readonly Mutant[] }>>;
}

/** The text a mutant replaces, from the report's copy of the source (1-based lines and columns). */
function originalText(lines: readonly string[], m: Mutant): string {
  const { start, end } = m.location;
  if (start.line === end.line) return lines[start.line - 1]!.slice(start.column - 1, end.column - 1);
  const parts = [lines[start.line - 1]!.slice(start.column - 1)];
  for (let l = start.line + 1; l < end.line; l++) parts.push(lines[l - 1]!);
  parts.push(lines[end.line - 1]!.slice(0, end.column - 1));
  return parts.join('\n');
}

function oneLine(s: string, max = 70): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function functionAt(fns: ReturnType<typeof portFunctions>, line: number): string {
  return fns.find((f) => f.from <= line && line <= f.to)?.name ?? '(outside a port function)';
}

/** Where a slice's report is kept: reports/mutation/vnode_pager_alloc.json, reports/mutation/lines-100-200.json. */
function keptReport(a: Args): string {
  const label = a.ranges.length === 0 ? 'all' : a.ranges.map((r) => r.label.replace(/\s+/g, '-')).join('+');
  return path.join(path.dirname(REPORT), `${label}.json`);
}

function runStryker(a: Args): void {
  mkdirSync(path.dirname(BASELINE), { recursive: true });
  const t0 = Date.now();
  console.log('baseline: the unmutated port on every kill run ...');
  writeFileSync(BASELINE, `${JSON.stringify(measureBaseline(KILL_ENV), null, 1)}\n`);
  console.log(`baseline: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const lineCount = readFileSync(PORT_PATH, 'utf8').split('\n').length;
  const { patterns, cuts } = mutatePatterns(a.ranges.length === 0 ? [{ from: 1, to: lineCount }] : a.ranges);
  for (const c of cuts) console.log(`left out (labeled loop head, see mutation-report.ts): ${c}`);
  const args = ['stryker', 'run', 'stryker.config.json', '--mutate', patterns.join(','), '--concurrency', String(a.concurrency)];
  console.log(`npx ${args.join(' ')}`);
  const r = spawnSync('npx', args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, [BASELINE_ENV]: BASELINE } });
  if (r.status !== 0) {
    console.error(`mutation: stryker ended with status ${r.status ?? r.signal}`);
    process.exit(3);
  }
  copyFileSync(REPORT, keptReport(a));
  console.log(`report kept as ${path.relative(ROOT, keptReport(a))}`);
}

function printReport(a: Args): void {
  const file0 = existsSync(keptReport(a)) ? keptReport(a) : REPORT;
  if (!existsSync(file0)) bad(`no report at ${path.relative(ROOT, REPORT)}; run without --report first`);
  console.log(`report: ${path.relative(ROOT, file0)}`);
  const report = JSON.parse(readFileSync(file0, 'utf8')) as Report;
  const file = Object.entries(report.files).find(([p]) => p.replace(/\\/g, '/').endsWith(PORT));
  if (!file) bad(`the report has no mutants of ${PORT}`);
  const [, { source, mutants }] = file;
  const lines = source.split('\n');
  // Function ranges of the source Stryker mutated, not of the work tree (which may have moved on since): a slice named by functions is re-resolved in it.
  const fns = analyzePort(source).functions;
  const ranges = a.ranges.map((r) => {
    const f = fns.find((x) => x.name === r.label);
    return f ? { ...r, from: f.from, to: f.to } : r;
  });
  const inRange = (m: Mutant) => ranges.length === 0 || ranges.some((r) => r.from <= m.location.start.line && m.location.start.line <= r.to);
  const all = mutants.filter((m) => m.status !== 'Ignored' && inRange(m));
  const by = (s: Mutant['status']) => all.filter((m) => m.status === s);
  const killed = by('Killed');
  const harness = killed.filter((m) => (m.statusReason ?? '').includes('harness error'));
  const timeouts = by('Timeout');
  const errors = [...by('CompileError'), ...by('RuntimeError')];
  const alive = [...by('Survived'), ...by('NoCoverage')];
  const classified = alive.map((m) => {
    const original = originalText(lines, m);
    const fn = functionAt(fns, m.location.start.line);
    return { m, original, fn, cls: classifySurvivor({ fn, mutator: m.mutatorName, original, replacement: m.replacement ?? '', line: lines[m.location.start.line - 1]!, column: m.location.start.column, before: lines.slice(Math.max(0, m.location.start.line - 3), m.location.start.line - 1).join('\n') }) };
  });
  const equivalent = classified.filter((c) => c.cls?.kind === 'equivalent');
  const unreachable = classified.filter((c) => c.cls?.kind === 'unreachable');
  const denom = all.length - equivalent.length - unreachable.length - errors.length;
  const detected = killed.length + timeouts.length;
  console.log(`\nmutants: ${all.length}${ranges.length ? ` (${ranges.map((r) => `${r.label} ${r.from}-${r.to}`).join(', ')})` : ''}`);
  console.log(`  killed by a violation: ${killed.length - harness.length}, by a harness error: ${harness.length}, timed out: ${timeouts.length}`);
  console.log(`  survived: ${by('Survived').length}, not covered by any kill run: ${by('NoCoverage').length}, compile/runtime errors: ${errors.length}`);
  console.log(`  equivalent (argued below): ${equivalent.length}, unreachable from every caller of the era (argued below): ${unreachable.length}`);
  const pct = (n: number) => (n > 0 ? ((100 * detected) / n).toFixed(1) : '-');
  console.log(`score: ${detected}/${denom} non-equivalent reachable mutants killed = ${pct(denom)}% (goal 90%)`);
  if (unreachable.length > 0) console.log(`  counting the unreachable ones as survivors: ${detected}/${denom + unreachable.length} = ${pct(denom + unreachable.length)}%`);
  const groups: [string, (c: SurvivorClass | null) => boolean][] = [
    ['equivalent', (c) => c?.kind === 'equivalent'],
    ['unreachable (no caller of the era runs the code it changes)', (c) => c?.kind === 'unreachable'],
    ['missing (what would kill it)', (c) => c?.kind === 'missing'],
    ['unclassified', (c) => c === null],
  ];
  for (const [title, pick] of groups) {
    const rows = classified.filter((c) => pick(c.cls));
    if (rows.length === 0) continue;
    console.log(`\nsurvivors, ${title}: ${rows.length}`);
    for (const c of rows)
      console.log(
        `  ${PORT}:${c.m.location.start.line} ${c.fn} ${c.m.mutatorName} ${c.m.status === 'NoCoverage' ? '(no coverage) ' : ''}\`${oneLine(c.original, 50)}\` -> \`${oneLine(c.m.replacement ?? '', 40)}\`${c.cls ? `\n      ${c.cls.why}` : ''}`,
      );
  }
  if (timeouts.length > 0) console.log(`\ntimed out (counted as killed): ${timeouts.map((m) => `${m.location.start.line} ${m.mutatorName}`).join('; ')}`);
  if (harness.length > 0) console.log(`killed by a harness error: ${harness.map((m) => `${m.location.start.line} ${m.mutatorName}`).join('; ')}`);
}

const args = parseArgs(process.argv.slice(2));
if (!args.reportOnly) runStryker(args);
printReport(args);
