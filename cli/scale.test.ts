/*
 * The split search from the command line: shards merged equal the unsharded
 * run, checkpoints resume, and bad scale arguments are one-line errors (exit 2).
 * Worker threads are off (--workers 0) to keep the test fast; checker/parallel.test.ts
 * covers the thread pool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.ts';
import { memoryIo } from './io.ts';
import { exploreCheckpointed } from '../checker/checkpoint.ts';
import { contentHash } from '../checker/integrity.ts';
import { runShard } from '../checker/shard.ts';
import { scenarioRef } from '../traces/checked.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pagercheck-scale-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  const io = memoryIo();
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

/** "N executions, M steps" of an outcome line. */
function counts(out: string): string {
  const m = /: (ok|violation); (\d+) executions, (\d+) steps, (\d+) tasks, complete/.exec(out);
  if (!m) throw new Error(`no outcome line in: ${out}`);
  return m.slice(1).join(' ');
}

describe('explore --shard / merge', () => {
  it('merging every shard gives the unsharded outcome, violations included', async () => {
    const whole = await run('explore', 'io-errors', '--workers', '0', '--tasks', '8', '--out', join(dir, 'whole'));
    expect(whole.code).toBe(1);
    const reports = [0, 1, 2].map((i) => join(dir, `s${i}.json`));
    for (const [i, f] of reports.entries()) {
      const r = await run('explore', 'io-errors', '--workers', '0', '--tasks', '8', '--shard', `${i}/3`, '--report', f);
      // Nothing but the progress line a shard lasting over a second prints (a loaded machine).
      expect(r.err.split('\n').filter((l) => l !== '' && !/^pagercheck: io-errors on seed: \d+\/\d+ tasks, /.test(l))).toEqual([]);
      expect([0, 1]).toContain(r.code);
    }
    const merged = await run('merge', ...reports, '--out', join(dir, 'merged'));
    expect(merged.code).toBe(1);
    expect(counts(merged.out)).toBe(counts(whole.out));
    expect(merged.out).toContain('invariant valid-data-is-file-data');
  });

  it('rejects a missing shard, a bad shard and a half-given pair in one line with exit 2', async () => {
    const f = join(dir, 'only.json');
    await run('explore', 'alloc-race', '--workers', '0', '--tasks', '4', '--shard', '0/2', '--report', f);
    const missing = await run('merge', f);
    expect(missing.code).toBe(2);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    expect(missing.err).toMatch(/in no shard report/);
    expect((await run('explore', 'alloc-race', '--shard', '2/2', '--report', f)).code).toBe(2);
    expect((await run('explore', 'alloc-race', '--shard', '0/2')).err).toMatch(/--shard and --report go together/);
    expect((await run('explore', 'alloc-race', '--workers', '0', '--strategy', 'pct')).err).toMatch(/split DPOR search/);
    expect((await run('explore', '--workers', '0')).err).toMatch(/one catalog scenario and one variant/);
  });

  it('creates the report directory, and refuses an unwritable report or checkpoint path before searching', async () => {
    const nested = join(dir, 'new', 'dir', 'shard-0.json');
    const ok = await run('explore', 'alloc-race', '--workers', '0', '--tasks', '4', '--shard', '0/2', '--report', nested);
    expect([0, 1]).toContain(ok.code);
    expect(readFileSync(nested, 'utf8')).toMatch(/^\{/);
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    for (const [opt, extra] of [['--report', ['--shard', '0/2']], ['--checkpoint', []]] as const) {
      const r = await run('explore', 'alloc-race', '--workers', '0', ...extra, opt, join(blocker, 'x.json'));
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(new RegExp(`${opt} .*(cannot create its directory \\(E[A-Z]+\\)|is a file, not a directory)`));
    }
  });
});

describe('explore --checkpoint / --resume', () => {
  it('a finished checkpoint resumes to the same outcome', async () => {
    const cp = join(dir, 'cp.json');
    const first = await run('explore', 'io-errors', '--workers', '0', '--tasks', '8', '--checkpoint', cp, '--out', join(dir, 'a'));
    const again = await run('explore', '--resume', cp, '--workers', '0', '--out', join(dir, 'b'));
    expect(again.code).toBe(first.code);
    expect(counts(again.out)).toBe(counts(first.out));
    expect(again.err).toMatch(/resumed 8 finished task\(s\) of 8/);
  });

  it('rejects a file that is not a checkpoint (exit 2, one line)', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"something-else"}');
    const r = await run('explore', '--resume', bad);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});

/* Issue 14, item 4: resume and merge that cannot lie. */
describe('resume and merge refuse what does not fit, in one line (exit 2)', () => {
  const oneLine = (r: { code: number; err: string }, what: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(what);
  };
  type Raw = Record<string, unknown> & { results: { executions: number }[]; hash: string };
  const rehash = (raw: Raw): Raw => {
    const { hash: _h, ...rest } = raw;
    return { ...raw, hash: contentHash(rest) };
  };

  it('resume --max-steps 50 without the scenario names the option; without it, the checkpoint options are taken', async () => {
    const cp = join(dir, 'cp-opts.json');
    const ctl = new AbortController();
    let n = 0;
    await exploreCheckpointed(scenarioRef('alloc-race', 'seed', false), { file: cp, workers: 0, minTasks: 4, races: false, stopOnViolation: false, handleSignals: false, signal: ctl.signal, onResult: () => void (++n === 1 && ctl.abort()) });
    const before = readFileSync(cp, 'utf8');
    oneLine(await run('explore', '--resume', cp, '--max-steps', '50', '--workers', '0', '--out', join(dir, 'r1')), /was written with --max-steps 10000, not --max-steps 50; accepted: --resume FILE without --max-steps/);
    expect(readFileSync(cp, 'utf8')).toBe(before); // refused before anything is written
    oneLine(await run('explore', 'io-errors', '--resume', cp, '--workers', '0', '--out', join(dir, 'r1')), /was written with scenario alloc-race, not scenario io-errors/);
    oneLine(await run('explore', '--resume', cp, '--variant', 'repaired', '--workers', '0', '--out', join(dir, 'r1')), /was written with --variant seed, not --variant repaired/);
    oneLine(await run('explore', '--resume', cp, '--first', '--workers', '0', '--out', join(dir, 'r1')), /was written with every violation collected \(no --first\), not --first/);
    oneLine(await run('explore', '--resume', cp, '--tasks', '8', '--workers', '0', '--out', join(dir, 'r1')), /was written with --tasks 4, not --tasks 8/);
    // The same search from the file alone, and with the options it was written with.
    const whole = await run('explore', 'alloc-race', '--no-spec', '--workers', '0', '--tasks', '4', '--minimize', '0', '--out', join(dir, 'w'));
    const a = await run('explore', '--resume', cp, '--checkpoint', join(dir, 'cp-a.json'), '--workers', '0', '--minimize', '0', '--out', join(dir, 'r2'));
    const b = await run('explore', 'alloc-race', '--no-spec', '--max-steps', '10000', '--tasks', '4', '--resume', cp, '--checkpoint', join(dir, 'cp-b.json'), '--workers', '0', '--minimize', '0', '--out', join(dir, 'r3'));
    expect(a.code).toBe(whole.code);
    expect(counts(a.out)).toBe(counts(whole.out));
    expect(counts(b.out)).toBe(counts(whole.out));
  });

  it('an edited shard report is refused: a result, a task count beyond the plan, a task of another shard', async () => {
    const f = join(dir, 'edit-s0.json');
    await run('explore', 'alloc-race', '--workers', '0', '--tasks', '4', '--shard', '0/2', '--report', f);
    const raw = JSON.parse(readFileSync(f, 'utf8')) as Raw;
    const put = (name: string, v: unknown) => {
      const g = join(dir, name);
      writeFileSync(g, JSON.stringify(v));
      return g;
    };
    const edited = structuredClone(raw);
    edited.results[0]!.executions = 999999;
    oneLine(await run('merge', put('e1.json', edited), '--out', join(dir, 'm')), /e1\.json: hash does not match its content/);
    // With the hash made to agree: the task count is checked against the plan computed again, before anything is allocated for it.
    oneLine(await run('merge', put('e2.json', rehash({ ...structuredClone(raw), tasks: 99_999 })), '--out', join(dir, 'm')), /e2\.json: status: complete, but task 4 of its shard has no result/);
    oneLine(await run('merge', put('e2b.json', rehash({ ...structuredClone(raw), tasks: 99_999, status: 'interrupted' })), '--out', join(dir, 'm')), /e2b\.json: tasks: the file claims 99999 tasks, its search has \d+ on this code/);
    const other = structuredClone(raw);
    (other.results[0] as unknown as { index: number }).index = 1;
    oneLine(await run('merge', put('e3.json', rehash(other)), '--out', join(dir, 'm')), /e3\.json: results\[0\]: task 1 is not a task of shard 0\/2/);
    oneLine(await run('merge', put('e4.json', rehash({ ...structuredClone(raw), tasks: 100_000_000 })), '--out', join(dir, 'm')), /e4\.json is not a pagercheck shard report \(tasks: .*100000/);
    oneLine(await run('merge', put('e5.json', rehash({ ...structuredClone(raw), ref: { resolver: '/tmp/x.mjs', data: null } })), '--out', join(dir, 'm')), /e5\.json: ref\.resolver: .* is not a program resolver files may name/);
  });

  it('an interrupted shard says so in its report, and merge says which tasks are missing and why', async () => {
    const ref = scenarioRef('alloc-race', 'seed', true);
    const opts = { workers: 0, minTasks: 8, races: false, stopOnViolation: false };
    const ctl = new AbortController();
    let n = 0;
    const cut = await runShard(ref, { index: 0, count: 2 }, { ...opts, signal: ctl.signal, onResult: () => void (++n === 1 && ctl.abort()) });
    expect(cut.status).toBe('interrupted');
    const whole = await runShard(ref, { index: 1, count: 2 }, opts);
    expect(whole.status).toBe('complete');
    const files = [join(dir, 'cut-0.json'), join(dir, 'cut-1.json')];
    writeFileSync(files[0]!, JSON.stringify(cut));
    writeFileSync(files[1]!, JSON.stringify(whole));
    oneLine(await run('merge', ...files, '--out', join(dir, 'm')), /task 2 is in no shard report: shard 0\/2 \(.*cut-0\.json\) was interrupted with \d+ of its \d+ tasks not run \(tasks 2, .*\); run that shard again/);
    oneLine(await run('merge', files[1]!, '--out', join(dir, 'm')), /task 0 is in no shard report \(shard 0\/2 missing\?\)/);
  });
});
