/*
 * The command runs cli/main.ts bundled by esbuild (checker/esbundle.mjs);
 * without the bundle it runs the sources through tsx. Both must say and
 * write exactly the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { bundleEntry, bundleWorker, BUNDLE_DIR } from '../checker/esbundle.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'cli', 'bin.mjs');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pagercheck-bundle-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], bundled: boolean): { code: number; out: string } {
  const env = { ...process.env };
  if (bundled) delete env.PAGERCHECK_NO_BUNDLE;
  else env.PAGERCHECK_NO_BUNDLE = '1';
  try {
    return { code: 0, out: execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    const x = e as { status?: number; stdout?: string };
    return { code: x.status ?? -1, out: x.stdout ?? '' };
  }
}

describe('bundled command', () => {
  it('is built into dist/, and again only when a source changes', async () => {
    const a = await bundleEntry('cli/main.ts', 'cli');
    if (!('file' in a)) throw new Error(`no bundle: ${a.error}`);
    expect(a.file.startsWith(join(BUNDLE_DIR, 'cli-'))).toBe(true);
    expect(BUNDLE_DIR.endsWith('/dist')).toBe(true);
    expect(await bundleEntry('cli/main.ts', 'cli')).toEqual(a);
  });

  it('npm run build (prepare) writes the bundles the command and its workers load', async () => {
    const printed = execFileSync(process.execPath, ['checker/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    const a = await bundleEntry('cli/main.ts', 'cli');
    const w = await bundleWorker('traces/checked.ts');
    if (!('file' in a) || !('file' in w)) throw new Error('no bundle');
    expect(printed).toBe(`pagercheck build: ${relative(ROOT, a.file)} (the command (cli/main.ts))\npagercheck build: ${relative(ROOT, w.file)} (the worker of the pager programs (checker/worker.ts, traces/checked.ts))\n`);
  });

  it('replays a pinned finding exactly as the TypeScript sources do', () => {
    const args = ['replay', 'traces/findings/readahead-valid-after-read-error.json'];
    const b = run(args, true);
    const t = run(args, false);
    expect(b.code).toBe(1);
    expect(b).toEqual(t);
  }, 60_000);

  it('explores a scenario to the same outcome and byte-identical trace files', () => {
    const out = (name: string) => join(dir, name);
    const args = (o: string) => ['explore', 'io-errors', '--workers', '1', '--minimize', '0', '--out', o];
    const b = run(args(out('b')), true);
    const t = run(args(out('t')), false);
    expect(b.code).toBe(t.code);
    // Times differ: the outcome line's (at the end) and the summary table's time column.
    const strip = (s: string, o: string) => s.replaceAll(o, 'OUT').replace(/[\d.]+ s$/gm, 'T').replace(/ {2}[\d.]+ s {2}/g, '  T  ');
    expect(strip(b.out, out('b'))).toBe(strip(t.out, out('t')));
    const files = readdirSync(out('b')).sort();
    expect(files.length).toBeGreaterThan(0);
    expect(readdirSync(out('t')).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(out('b'), f), 'utf8')).toBe(readFileSync(join(out('t'), f), 'utf8'));
  }, 60_000);
});
