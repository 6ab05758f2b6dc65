/*
 * The README's batch-engine examples (a Kubernetes Indexed Job, a CI matrix)
 * are command lines users copy: run them. Each shard command is run for
 * every index the engine would give, with the scenario swapped for a small
 * one to keep the suite fast, and the merge must equal the unsharded run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from './main.ts';
import { memoryIo } from './io.ts';

const README = readFileSync(resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
const SMALL = 'alloc-race';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pagercheck-docs-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Shell words of a command line: double quotes grouped, nothing else interpreted. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** The README's command lines that start with `npx pagercheck SUB`, in order. */
function commands(sub: string): string[] {
  return README.split('\n')
    .map((l) => l.replace(/^\s*(- )?(run: )?/, '').trim())
    .filter((l) => l.startsWith(`npx pagercheck ${sub} `));
}

async function run(argv: string[]) {
  const io = memoryIo();
  const code = await main(argv, io);
  return { code, out: io.stdout, err: io.stderr };
}

const counts = (out: string): string => {
  const m = /(\d+) executions, (\d+) steps, (\d+) tasks/.exec(out);
  if (!m) throw new Error(`no counts in: ${out}`);
  return m.slice(1).join(' ');
};

describe('README batch-engine examples', () => {
  it('has the Kubernetes Indexed Job and the CI matrix, each with a shard command and a merge', () => {
    expect(README).toMatch(/kind: Job[\s\S]*completionMode: Indexed/);
    expect(README).toMatch(/strategy:\s*\n\s*matrix:/);
    expect(commands('explore')).toHaveLength(2);
    expect(README).toMatch(/npx pagercheck merge \/out\/shard-\*\.json/);
    expect(commands('merge')).toHaveLength(1);
  });

  const engines = [
    { name: 'Kubernetes Indexed Job', n: 8, index: '${JOB_COMPLETION_INDEX}', at: 0 },
    { name: 'CI matrix', n: 4, index: '${{ matrix.shard }}', at: 1 },
  ];
  for (const e of engines) {
    it(`${e.name}: every indexed copy of the shard command, then merge, equals the unsharded search`, async () => {
      const line = commands('explore')[e.at]!;
      expect(line).toContain(e.index);
      const out = join(dir, e.name.replace(/\W+/g, '-'));
      for (let i = 0; i < e.n; i++) {
        const argv = words(line.replaceAll(e.index, String(i)).replaceAll('/out/', `${out}/`).replace(/--report (\S+)/, (_m, f: string) => `--report ${f.startsWith(out) ? f : join(out, f)}`)).slice(2);
        expect(argv[0]).toBe('explore');
        argv[1] = SMALL;
        const r = await run(argv);
        expect([0, 1], `${argv.join(' ')}: ${r.err}`).toContain(r.code);
      }
      const reports = readdirSync(out).map((f) => join(out, f));
      expect(reports).toHaveLength(e.n);
      const merged = await run(['merge', ...reports, '--out', join(dir, 'merged')]);
      const whole = await run(['explore', SMALL, '--workers', '1', '--tasks', '32', '--out', join(dir, 'whole')]);
      expect(merged.code).toBe(whole.code);
      expect(counts(merged.out)).toBe(counts(whole.out));
    }, 60_000);
  }
});
