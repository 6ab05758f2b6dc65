/*
 * SIGTERM stops a checkpointed search as Ctrl-C does (issue 14): the
 * checkpoint is written with the tasks finished so far, not only the one
 * written at the start; a shard's report says it was interrupted, and merge
 * says which tasks it did not run. Real processes, since the signal is the process's.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * A search that lasts long past the first progress line (shown after 1 s), with small tasks first: the
 * 4-creator allocation race split into ~1,250 tasks (about 90 s in all). A catalog scenario of a second or two
 * would sometimes finish before the signal lands (the reductions made them that short) and exit 0.
 */
const LONG = ['alloc-race-4', '--strategy', 'dpor', '--tasks', '1024'];

let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'pagercheck-sigterm-'))));
afterAll(() => void (dir && rmSync(dir, { recursive: true, force: true })));

it('SIGTERM writes the checkpoint with the finished tasks and ends the run cleanly', async () => {
  const cp = join(dir, 'cp.json');
  // A checkpoint interval longer than the test: only the start and the signal write the file.
  const child = spawn(process.execPath, [join(import.meta.dirname, 'bin.mjs'), 'explore', ...LONG, '--workers', '1', '--checkpoint', cp, '--checkpoint-interval', '1h', '--out', join(dir, 'o')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const code = await new Promise<number | null>((resolve) => {
    child.stderr.on('data', (d) => {
      stderr += String(d);
      if (/: [1-9]\d*\/\d+ tasks/.test(stderr) && child.signalCode === null && !child.killed) child.kill('SIGTERM');
    });
    child.on('exit', (c) => resolve(c));
  });
  expect(stderr).toContain('interrupted; stopping');
  expect([1, 130]).toContain(code);
  const saved = JSON.parse(readFileSync(cp, 'utf8')) as { format: string; done: unknown[]; tasks: unknown[] };
  expect(saved.format).toBe('pagercheck-checkpoint');
  expect(saved.done.length).toBeGreaterThan(0);
  expect(saved.done.length).toBeLessThan(saved.tasks.length);
}, 120_000);

it('SIGTERM to a shard writes a report that says it was interrupted; merge names its tasks not run', async () => {
  const rep = join(dir, 'shard-0.json');
  const child = spawn(process.execPath, [join(import.meta.dirname, 'bin.mjs'), 'explore', ...LONG, '--workers', '1', '--shard', '0/1', '--report', rep], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  const code = await new Promise<number | null>((resolve) => {
    child.stderr.on('data', (d) => {
      stderr += String(d);
      if (/: [1-9]\d*\/\d+ tasks/.test(stderr) && child.signalCode === null && !child.killed) child.kill('SIGTERM');
    });
    child.on('exit', (c) => resolve(c));
  });
  expect([1, 130]).toContain(code);
  expect(stdout).toMatch(/^shard 0\/1 of alloc-race-4 on seed: INTERRUPTED with \d+ of its tasks not run/);
  const saved = JSON.parse(readFileSync(rep, 'utf8')) as { status: string };
  expect(saved.status).toBe('interrupted');
  const merge = spawnSync(process.execPath, [join(import.meta.dirname, 'bin.mjs'), 'merge', rep, '--out', join(dir, 'm')], { encoding: 'utf8' });
  expect(merge.status).toBe(2);
  expect(merge.stderr.trim().split('\n')).toHaveLength(1);
  expect(merge.stderr).toMatch(/is in no shard report: shard 0\/1 \(.*shard-0\.json\) was interrupted with \d+ of its \d+ tasks not run/);
}, 120_000);
