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
