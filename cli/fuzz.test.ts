/*
 * Every input of the command fuzzed in-process (cli/fuzz.ts): each case must
 * end in exit 2 with one bounded stderr line naming what was wrong, or in a
 * plausible 0/1/130; never 3, never a crash or a hang. A fixed seed per kind
 * so that a failure here reproduces (`npx tsx cli/fuzz.ts --case KIND I`
 * shows a case of the wider `npm run fuzz`).
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { rmSync } from 'node:fs';
import { KINDS, argvMutationArb, classify, goodBadInputLine, makeSeeds, mutate, mutateArgv, mutationArb, runCase, type FuzzCase, type Kind, type Seeds } from './fuzz.ts';

/* Cases per kind: a few hundred in all, within about 30 s on a loaded machine. */
const RUNS: Readonly<Record<Kind, number>> = { trace: 40, cex: 40, scenario: 40, checkpoint: 30, shard: 40, argv: 60 };

let seeds: Seeds;
let cwd: string;

beforeAll(async () => {
  seeds = await makeSeeds();
  // Commands whose --out a mutation removed write under out/ of the working directory: not the repository's.
  cwd = process.cwd();
  process.chdir(seeds.dir);
}, 60_000);

afterAll(() => {
  if (cwd) process.chdir(cwd);
  if (seeds) rmSync(seeds.dir, { recursive: true, force: true });
});

async function check(c: FuzzCase): Promise<void> {
  const r = await runCase(c, seeds.dir, 15_000);
  expect(r.verdict, `${r.verdict} (exit ${r.code}) for ${JSON.stringify(r.argv).slice(0, 300)}:\n${r.stderr.slice(0, 600)}`).toMatch(/^exit(2|01)$/);
}

describe('the property itself', () => {
  test('one bounded line naming the input is a good bad-input message, anything else is not', () => {
    expect(goodBadInputLine('pagercheck: /x/a.json: scenario: name: too long\n', ['/x/a.json'])).toBe(true);
    expect(goodBadInputLine('pagercheck: /x/a.json: bad\nError: at foo\n', ['/x/a.json'])).toBe(false);
    expect(goodBadInputLine(`pagercheck: /x/a.json: ${'x'.repeat(700)}\n`, ['/x/a.json'])).toBe(false);
    expect(goodBadInputLine('something failed\n', ['/x/a.json'])).toBe(false);
    expect(classify(3, 'pagercheck: internal error\n', [])).toBe('exit3');
    expect(classify(1, '', [])).toBe('exit01');
    expect(classify(7, '', [])).toBe('crash');
  });

  test('mutations change the seed and keep it JSON unless truncated', () => {
    const seed = { a: 1, b: [1, 2, { c: 'x' }] };
    expect(mutate(seed, [{ op: 'remove', at: 1, pick: 0 }])).toBe('{"b":[1,2,{"c":"x"}]}');
    expect(mutate(seed, [{ op: 'huge', at: 1, pick: 0 }])).toBe(`{"a":${2 ** 53 - 1},"b":[1,2,{"c":"x"}]}`);
    expect(mutate(seed, [{ op: 'nested', at: 1, pick: 0 }])).toMatch(/^\{"a":(\[\{"a":){5000}0(\}\]){5000},"b"/);
    expect(mutate(seed, [{ op: 'truncate', at: 0, pick: 5 }])).toBe('{"a":');
    expect(mutateArgv(['replay', 'f', '--width', '30'], [{ op: 'value', at: 2, pick: 3, pick2: 0 }])).toEqual(['replay', 'f', '--width', '999']);
  });
});

describe('fuzzed inputs end in exit 2 with one line, or a plausible 0/1', () => {
  for (const kind of KINDS) {
    if (kind === 'argv')
      test.prop([fc.nat(), fc.array(argvMutationArb, { minLength: 1, maxLength: 3 })], { numRuns: RUNS[kind], seed: 1414 })('argument vectors', async (s, ms) => {
        await check({ kind, argv: mutateArgv(seeds.argv[s % seeds.argv.length]!, ms) });
      });
    else
      test.prop([fc.array(mutationArb, { minLength: 1, maxLength: 3 })], { numRuns: RUNS[kind], seed: 1414 })(`${kind} files`, async (ms) => {
        await check({ kind, text: mutate(seeds.json[kind], ms) });
      });
  }
});
