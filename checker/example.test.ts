import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lastzero } from './example/lastzero.ts';
import { explore } from './index.ts';
import { countTraces } from './mazurkiewicz.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.join(here, 'example', 'lastzero.ts');

describe('a user program written with checker/index.ts alone (checker/README.md)', () => {
  it('imports nothing but the public API', () => {
    const imports = [...fs.readFileSync(file, 'utf8').matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports).toEqual(['../index.ts']);
  });

  it('is the example the README shows', () => {
    const readme = fs.readFileSync(path.join(here, 'README.md'), 'utf8');
    const block = /```ts file=checker\/example\/lastzero\.ts\n([\s\S]*?)```/.exec(readme);
    expect(block?.[1]).toBe(fs.readFileSync(file, 'utf8'));
  });

  it('lastzero(N): DPOR explores one execution per Mazurkiewicz trace, (N+3)*2^(N-2) of them', () => {
    const got = [2, 3, 4, 5, 6].map((n) => {
      const o = explore(lastzero(n), { strategy: { kind: 'dpor' }, races: false, stopOnViolation: false });
      expect([o.status, o.stats.complete]).toEqual(['ok', true]);
      return [o.stats.executions, o.stats.cut];
    });
    // Pinned: executions follow the closed form; the sleep-set-blocked runs are DPOR's known redundancy (README).
    expect(got).toEqual([
      [5, 0],
      [12, 0],
      [28, 1],
      [64, 7],
      [144, 34],
    ]);
    for (const [i, n] of [2, 3, 4, 5, 6].entries()) expect(got[i]![0]).toBe((n + 3) * 2 ** (n - 2));
    // The independent oracle (enumeration of every interleaving) where it is small enough.
    // lastzero(3) has about a million interleavings (20 s): N = 2 only.
    expect(countTraces(lastzero(2))).toBe(5);
  });

  it('runs as a script, as the README says', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', file, '5'], { encoding: 'utf8' });
    expect(out.trim()).toBe('ok 64 executions 7 cut');
  });
});
