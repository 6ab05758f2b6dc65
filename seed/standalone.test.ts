/*
 * The repository stands alone: a clone with nothing beside it installs, runs
 * and passes its tests. Two checks: no file of the repository names a path
 * outside it, and the seed-dependent tests pass from a copy of the
 * repository in a fresh temporary directory (no ../shared there).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/* What a clone does not hold, or what its own builds and runs write: .git and .gitignore's directories. */
const SKIP = new Set([
  '.git',
  ...readFileSync(path.join(ROOT, '.gitignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[\w.-]+\/$/.test(l))
    .map((l) => l.slice(0, -1)),
]);

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (SKIP.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else if (/\.(ts|mjs|js|json|md|sh)$/.test(e.name) || e.name === 'run') out.push(p);
  }
  return out;
}

describe('the repository stands alone', () => {
  it('no source, script or config names a path outside the repository', () => {
    const outside = /(\.\.\/)+shared\/|\/work\/(shared|main)\b/;
    const hits = files(ROOT)
      .filter((f) => f !== fileURLToPath(import.meta.url))
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').flatMap((l, i) => (outside.test(l) ? [`${path.relative(ROOT, f)}:${i + 1}: ${l.trim()}`] : [])));
    expect(hits).toEqual([]);
  });

  it('the seed-dependent tests pass from a copy of the repository with nothing beside it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pagercheck-alone-'));
    const copy = path.join(dir, 'repo');
    try {
      cpSync(ROOT, copy, { recursive: true, filter: (src) => !SKIP.has(path.basename(src)) || src === ROOT });
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
      expect(statSync(path.join(dir, 'shared'), { throwIfNoEntry: false })).toBeUndefined();
      const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'seed/seed.test.ts', 'impl/vnode_pager.names.test.ts', 'traces/trace.test.ts'], {
        cwd: copy,
        encoding: 'utf8',
        env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
        timeout: 120_000,
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Test Files\s+3 passed \(3\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
