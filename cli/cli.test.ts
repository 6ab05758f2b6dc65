import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allVariants } from '../impl/variants.ts';
import { CATALOG } from '../properties/catalog.ts';
import { TINY_SCENARIO_INPUT } from '../traces/testkit.ts';
import { main } from './main.ts';
import { memoryIo } from './io.ts';

let dir: string;
let tiny: string;
let quiet: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pagercheck-cli-'));
  tiny = join(dir, 'tiny.json');
  writeFileSync(tiny, JSON.stringify(TINY_SCENARIO_INPUT));
  quiet = join(dir, 'quiet.json');
  // One thread, one fault on a plain file: one execution, nothing to violate.
  writeFileSync(
    quiet,
    JSON.stringify({
      name: 'quiet',
      description: 'a single page fault',
      fs: { flavor: 'block', f_iosize: 4096 },
      file: { size: 8192 },
      initial: { object: true, mappings: 1 },
      threads: [{ name: 'T1', ops: [{ op: 'getpages', pindex: 0 }] }],
    }),
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  const io = memoryIo();
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

/** A fresh trace of the tiny scenario cut by the step bound. */
async function freshTrace(name: string): Promise<string> {
  const out = join(dir, name);
  const r = await run('explore', tiny, '--max-steps', '25', '--first', '--minimize', '0', '--out', out);
  expect(r.code).toBe(1);
  const files = readdirSync(out).filter((f) => f.endsWith('.trace.json'));
  expect(files).toHaveLength(1);
  return join(out, files[0]!);
}

describe('help', () => {
  it('lists the commands, the main job and the exit codes', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    for (const c of ['explore', 'replay', 'coverage', 'diagrams', 'mutants', 'report']) expect(r.out).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(r.out).toContain('With no command, pagercheck runs the main job');
    expect(r.out.replace(/\s+/g, ' ')).toContain('The main job exits 1 when a run violates a property that is not expected for its scenario and variant');
    expect(r.out).toMatch(/^ {2}2 {4}bad input/m);
  });

  it('explore --reduction turns DPOR\'s reductions off for comparison: same outcome, more executions, the strategy column says which', async () => {
    const rows = async (...extra: string[]) => (await run('explore', 'alloc-race', '--no-spec', '--no-random-phase', '--minimize', '0', '--out', join(dir, 'reduction'), ...extra)).out.split('\n').filter((l) => l.startsWith('alloc-race '));
    const all = await rows();
    const plain = await rows('--reduction', 'plain');
    const same = await rows('--reduction', 'sections');
    expect(all).toHaveLength(1);
    const [, , strategy, executions, explored, , , result] = all[0]!.split(/\s+/);
    expect([strategy, explored, result]).toEqual(['dpor', 'complete', 'ok']);
    const p = plain[0]!.split(/\s+/);
    expect([p[2], p[4], p[7]]).toEqual(['dpor(plain)', 'complete', 'ok']);
    expect(Number(p[3]!.replace(/,/g, ''))).toBeGreaterThan(10 * Number(executions!.replace(/,/g, '')));
    expect(same).toEqual(all);
  });

  it('explore --help names the strategies and bounds', async () => {
    const r = await run('explore', '--help');
    expect(r.code).toBe(0);
    expect(r.out.replace(/\s+/g, ' ')).toContain('choices: "dpor", "dfs", "bounded", "pct", "random"');
    for (const o of ['--variant', '--preemptions', '--depth', '--max-executions', '--max-steps', '--seed', '--random-phase', '--no-random-phase', '--time-budget', '--out']) expect(r.out).toContain(o);
  });
});

describe('bad arguments: exit 2, one line saying what is accepted', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown command', ['frobnicate'], /unknown command "frobnicate"; accepted: explore, merge, replay, coverage, diagrams, mutants, hunt, diff, report/],
    ['an unknown option', ['explore', '--sed', '1'], /unknown option '--sed' \(Did you mean --seed\?\)/],
    ['an unknown strategy', ['explore', '--strategy', 'bfs'], /argument 'bfs' is invalid\. Allowed choices are dpor, dfs, bounded, pct, random/],
    ['a negative seed', ['explore', '--seed', '-1'], /'--seed <n>' argument '-1' is invalid\. expected a whole number >= 0/],
    ['a bad time budget', ['explore', '--time-budget', 'soon'], /expected a duration such as 30s, 500ms, 2m/],
    ['a zero execution bound', ['explore', '--max-executions', '0'], /expected a whole number >= 1/],
    ['a bound of another strategy', ['explore', '--strategy', 'pct', '--preemptions', '2'], /--preemptions applies to --strategy bounded, not pct; accepted: --strategy bounded --preemptions N/],
    ['a random phase before a random strategy', ['explore', 'io-errors', '--strategy', 'pct', '--random-phase', '4'], /--random-phase runs before dpor or dfs, not pct\(depth 3, seed 0\) \(it is random already\); accepted: --strategy dpor or dfs, or --random-phase 0/],
    ['a random phase in a shard', ['explore', 'io-errors', '--shard', '0/2', '--report', 'r.json', '--random-phase', '4'], /--shard runs its slice of the tasks only: the random phase runs before a plain or --workers search, not in a shard; accepted: /],
    ['a random phase out of range', ['explore', '--random-phase', '1000001'], /'--random-phase <n>' argument '1000001' is invalid\. expected a whole number >= 0 and <= 1000000/],
    ['an unknown reduction', ['explore', 'alloc-race', '--reduction', 'lipton'], /argument 'lipton' is invalid\. Allowed choices are plain, commuting, lock-aware, refcount, sections/],
    ['a reduction with a strategy other than dpor', ['explore', 'alloc-race', '--strategy', 'random', '--reduction', 'plain'], /--reduction chooses DPOR's reductions, not random\(seed 0\)'s; accepted: --strategy dpor/],
    ['a reduction on a preemption-bounded scenario', ['explore', 'overlapping-getpages', '--reduction', 'plain'], /--reduction chooses DPOR's reductions, not bounded\(1\)'s; accepted: /],
    ['a reduction with the split search', ['explore', 'alloc-race', '--workers', '2', '--reduction', 'plain'], /--reduction is not taken by the split search \(--workers, --tasks, --shard, --checkpoint, --resume\), which runs every reduction; accepted: /],
    ['an unknown scenario', ['explore', 'no-such-scenario'], /unknown scenario "no-such-scenario"; accepted: a catalog name \(alloc-race, /],
    ['an unknown variant', ['explore', '--variant', 'patched'], /unknown variant "patched"; accepted: seed/],
    ['a missing scenario file', ['explore', 'nowhere/x.json'], /nowhere\/x\.json: no such file; accepted: /],
    ['a missing trace argument', ['replay'], /missing required argument 'file'/],
    ['an unknown rendering', ['replay', 'x.trace.json', '--render', 'svg'], /Allowed choices are text, mermaid, lifecycle, json/],
    ['an unknown machine', ['coverage', '--machine', 'pager'], /unknown machine "pager"; accepted: objectLifecycle, /],
    ['an unknown mutant', ['mutants', 'mut-nothing'], /unknown mutant "mut-nothing"; accepted: /],
  ];
  it.each(cases)('%s', async (_what, argv, msg) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^pagercheck: [^\n]+\n$/);
    expect(r.err).toMatch(msg);
    expect(r.out).toBe('');
  });

  it('a scenario file that is not a valid scenario', async () => {
    const f = join(dir, 'bad-scenario.json');
    writeFileSync(f, JSON.stringify({ ...TINY_SCENARIO_INPUT, fs: { flavor: 'block', f_iosize: 1000 } }));
    const r = await run('explore', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^pagercheck: .*bad-scenario\.json: scenario tiny-alloc-vs-vgone: fs\.f_iosize: 1000 is not a block size of a block filesystem; accepted: 4096, 8192, 16384, 32768, 65536\n$/);
  });
});

describe('bad trace files: exit 2, one line naming the field', () => {
  let good: Record<string, any>;
  beforeAll(async () => {
    good = JSON.parse(readFileSync(await freshTrace('for-bad'), 'utf8'));
  });
  const cases: [string, (t: Record<string, any>) => string, RegExp][] = [
    ['not JSON', () => '{"format": "pagercheck-trace",', /: not JSON \(.*\); accepted: a pagercheck trace file/],
    ['another format', (t) => JSON.stringify({ ...t, format: 'pagercheck-trace-v0' }), /: format: expected "pagercheck-trace" \(or "pagercheck-counterexample"\), found "pagercheck-trace-v0"/],
    ['a newer version', (t) => JSON.stringify({ ...t, version: 7 }), /: version: unsupported version 7; accepted: 1/],
    ['a step without its label', (t) => JSON.stringify({ ...t, steps: t.steps.map((s: object, i: number) => (i === 2 ? { ...s, label: undefined } : s)) }), /: steps\[2\]\.label: .*expected string/],
    ['a schedule step with a negative tid', (t) => JSON.stringify({ ...t, counterexample: { ...t.counterexample, schedule: [{ thread: 'T1', tid: -1, label: 'start' }] } }), /: counterexample\.schedule\.0\.tid: .*>=0/],
  ];
  it.each(cases)('%s', async (_what, make, msg) => {
    const f = join(dir, `bad-${_what.replace(/\W+/g, '-')}.trace.json`);
    writeFileSync(f, make(good));
    const r = await run('replay', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^pagercheck: [^\n]+\n$/);
    expect(r.err).toContain(f);
    expect(r.err).toMatch(msg);
  });

  it('a file that does not exist', async () => {
    const r = await run('replay', join(dir, 'nope.trace.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope\.trace\.json: cannot read \(no such file\); accepted: a trace file \(\*\.trace\.json\)\n$/);
  });

  it('a schedule that no longer fits the code', async () => {
    const t = structuredClone(good);
    t.counterexample.schedule[3].label = 'VM_OBJECT_WLOCK(obj7)';
    const f = join(dir, 'stale.trace.json');
    writeFileSync(f, JSON.stringify(t));
    const r = await run('replay', f);
    expect(r.code).toBe(2);
    // The thread of step 3 is whichever the search found the violation with (the random phase or DPOR).
    expect(r.err).toMatch(new RegExp(`^pagercheck: .*stale\\.trace\\.json: the schedule no longer fits tiny-alloc-vs-vgone@seed: at step 3: .*expected ${t.counterexample.schedule[3].thread} to run "VM_OBJECT_WLOCK\\(obj7\\)"`));
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('explore and replay', () => {
  it('writes a trace that replays to the same violation and renders it', async () => {
    const file = await freshTrace('round-trip');
    const text = readFileSync(file, 'utf8');
    const r = await run('replay', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain('the same violation (step-bound); every step as recorded');
    expect(r.out).toMatch(/^step \| T1 +\| T2$/m);
    expect(r.out).toContain('vnode_pager_alloc:');
    const json = await run('replay', file, '--render', 'json');
    expect(json.code).toBe(1);
    expect(json.out).toBe(text);
    const mermaid = await run('replay', file, '--render', 'mermaid');
    expect(mermaid.out.startsWith('sequenceDiagram\n')).toBe(true);
    const lifecycle = await run('replay', file, '--render', 'lifecycle');
    expect(lifecycle.out).toContain('stateDiagram-v2');
  });

  it('says so when the recorded violation no longer happens', async () => {
    const t = JSON.parse(readFileSync(await freshTrace('moved'), 'utf8'));
    t.counterexample.violation = { kind: 'invariant', property: 'made-up', message: 'x', step: 3 };
    const f = join(dir, 'moved.trace.json');
    writeFileSync(f, JSON.stringify(t));
    const r = await run('replay', f);
    expect(r.code).toBe(1);
    expect(r.err).toContain('the recorded violation (invariant made-up) did not happen; the execution ended with step-bound');
  });

  it('exits 0 when nothing is violated', async () => {
    const r = await run('explore', quiet, '--out', join(dir, 'quiet-out'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^quiet +seed +dpor +[\d,]+ +complete +[\d.]+ s +ok$/m);
    expect(existsSync(join(dir, 'quiet-out'))).toBe(false);
  });

  it('writes the report from trace files', async () => {
    const file = await freshTrace('for-report');
    const html = join(dir, 'r', 'report.html');
    const r = await run('report', file, '--out', html);
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 counterexample');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<section class="cex" id="cex-0"');
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)="(https?:)?\/\//);
  });
});

describe('Ctrl-C', () => {
  it('stops the run and still writes the counterexamples found so far', async () => {
    const io = memoryIo();
    const out = join(dir, 'interrupted');
    setTimeout(() => io.interrupt(), 1500);
    const t0 = performance.now();
    const code = await main(['explore', tiny, '--strategy', 'random', '--max-steps', '25', '--max-executions', '1000000000', '--minimize', '0', '--out', out], io);
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(code).toBe(1);
    expect(io.stderr).toContain('interrupted; stopping and writing the counterexamples found so far');
    expect(io.stdout).toMatch(/tiny-alloc-vs-vgone +seed +random\(seed 0\) +[\d,]+ +interrupted +/);
    const files = readdirSync(out).filter((f) => f.endsWith('.trace.json'));
    expect(files.length).toBeGreaterThanOrEqual(1);
    expect(files).toContain('tiny-alloc-vs-vgone.seed.step-bound.trace.json');
  });

  it('exits 130 when nothing was found before it', async () => {
    const io = memoryIo();
    setTimeout(() => io.interrupt(), 800);
    const code = await main(['explore', quiet, '--strategy', 'random', '--max-executions', '1000000000', '--out', join(dir, 'nothing')], io);
    expect(code).toBe(130);
    expect(io.stdout).toContain('ok so far (interrupted)');
  });

  it('a real SIGINT to the command ends it cleanly with the trace written', async () => {
    const out = join(dir, 'sigint');
    const child = spawn(process.execPath, [join(import.meta.dirname, 'bin.mjs'), 'explore', tiny, '--strategy', 'random', '--max-steps', '25', '--max-executions', '1000000000', '--minimize', '0', '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d) => {
        stderr += String(d);
        // Progress lines start after the first second of a run.
        if (/executions, [\d,]+\/s/.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(stderr).toContain('interrupted; stopping');
    expect(code).toBe(1);
    const files = readdirSync(out).filter((f) => f.endsWith('.trace.json'));
    expect(stdout).toContain(`${files.length} trace${files.length === 1 ? '' : 's'} written`);
    expect(files).toContain('tiny-alloc-vs-vgone.seed.step-bound.trace.json');
  }, 60_000);
});

describe('the main job', () => {
  it('runs the catalog on the seed and the repaired variants, writes traces, coverage and the report', async () => {
    const out = join(dir, 'main');
    const r = await run('--out', out, '--max-executions', '2', '--minimize', '0');
    const variants = allVariants().filter((v) => v.kind === 'seed' || v.kind === 'repaired');
    for (const f of ['report.html', 'summary.json', 'coverage.catalog.json']) expect(existsSync(join(out, f))).toBe(true);
    const rows = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { scenario: string; variant: string; result: string }[];
    expect(rows.map((x) => `${x.scenario}@${x.variant}`)).toEqual(variants.flatMap((v) => CATALOG.map((s) => `${s.name}@${v.name}`)));
    for (const x of rows) expect(r.out).toMatch(new RegExp(`^${x.scenario} +${x.variant} .*${x.result.replace(/[()]/g, '\\$&')}$`, 'm'));
    const traces = readdirSync(join(out, 'traces'));
    expect(r.out).toContain(`${traces.length} trace${traces.length === 1 ? '' : 's'} in ${join(out, 'traces')}`);
    // Exit 1 exactly when some run has a violation properties/expectations.ts does not expect; else 4 when a run stopped early (--max-executions 2).
    const unexpected = rows.filter((x) => x.result.includes('UNEXPECTED'));
    for (const x of rows) if (x.result.startsWith('VIOLATED') && !x.result.includes('UNEXPECTED')) expect(x.result).toMatch(/; expected\)$/);
    const early = rows.filter((x) => /^(ok so far|NOTHING EXPLORED) \(/.test(x.result));
    expect(r.code).toBe(unexpected.length > 0 ? 1 : early.length > 0 ? 4 : 0);
    expect(r.out).toContain(unexpected.length > 0 ? 'UNEXPECTED violations in' : 'no unexpected violation.');
    expect(readFileSync(join(out, 'report.html'), 'utf8').match(/<section class="cex"/g)?.length ?? 0).toBe(traces.length);
  }, 120_000);
});
