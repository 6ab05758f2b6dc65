/*
 * Every input of the command fuzzed in-process (cli/fuzz.ts): each case must
 * end in exit 2 with one bounded stderr line naming what was wrong, or in a
 * plausible 0/1/130; never 3, never a crash or a hang. A fixed seed per kind
 * so that a failure here reproduces (`npx tsx cli/fuzz.ts --case KIND I`
 * shows a case of the wider `npm run fuzz`).
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryIo } from './io.ts';
import { readCheckpoint } from '../checker/checkpoint.ts';
import { main } from './main.ts';
import { KINDS, argvMutationArb, classify, fileCase, fixHashes, goodBadInputLine, makeSeeds, mutate, mutateArgv, mutationArb, runCase, type FuzzCase, type Kind, type Seeds } from './fuzz.ts';

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

describe('the checks behind the content hash are reached', () => {
  test('an edit with its hashes fixed up passes the hash check; without, it is refused by it', () => {
    const cp = structuredClone(seeds.json.checkpoint) as { elapsedMs: number };
    cp.elapsedMs += 1;
    const f = join(seeds.dir, 'elapsed.json');
    writeFileSync(f, JSON.stringify(cp));
    expect(() => readCheckpoint(f)).toThrow(/hash does not match its content/);
    writeFileSync(f, fixHashes(JSON.stringify(cp), 1));
    expect(readCheckpoint(f).elapsedMs).toBe(cp.elapsedMs);
    const tasks = structuredClone(seeds.json.checkpoint) as { tasks: unknown[] };
    tasks.tasks.push(tasks.tasks[0]);
    writeFileSync(f, fixHashes(JSON.stringify(tasks), 1));
    expect(() => readCheckpoint(f)).toThrow(/tasks do not match its planHash/);
    writeFileSync(f, fixHashes(JSON.stringify(tasks), 2));
    expect(readCheckpoint(f).tasks).toHaveLength(tasks.tasks.length);
  });
});

describe('fuzzed inputs end in exit 2 with one line, or a plausible 0/1', () => {
  for (const kind of KINDS) {
    if (kind === 'argv')
      test.prop([fc.nat(), fc.array(argvMutationArb, { minLength: 1, maxLength: 3 })], { numRuns: RUNS[kind], seed: 1414 })('argument vectors', async (s, ms) => {
        await check({ kind, argv: mutateArgv(seeds.argv[s % seeds.argv.length]!, ms) });
      });
    else
      test.prop([fc.array(mutationArb, { minLength: 1, maxLength: 3 }), fc.nat(2)], { numRuns: RUNS[kind], seed: 1414 })(`${kind} files`, async (ms, fix) => {
        await check(fileCase(seeds, kind, ms, fix));
      });
  }
});

/* The cases of issue 14, one by one: each is bad input, refused in one line before anything runs. */
describe('bounds and outputs are checked before anything runs', () => {
  async function run(...argv: string[]) {
    const io = memoryIo();
    const code = await main(argv, io);
    return { code, out: io.stdout, err: io.stderr };
  }
  function scenarioFile(name: string, edit: (s: Record<string, unknown>) => void): string {
    const s = structuredClone(seeds.json.scenario) as Record<string, unknown>;
    edit(s);
    const f = join(seeds.dir, name);
    writeFileSync(f, JSON.stringify(s));
    return f;
  }
  const refused = (r: { code: number; out: string; err: string }, what: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(what);
  };

  test.each([
    [['--workers', '999'], /--workers.*'999' is invalid\. expected a whole number >= 0 and <= \d+/],
    [['--checkpoint-interval', '100000000000h'], /--checkpoint-interval.*out of range; expected a duration from 100ms to 24h/],
    [['--time-budget', '0'], /--time-budget.*0 is out of range; expected a duration from 1ms/],
    [['--max-steps', '9007199254740993'], /--max-steps.*expected a whole number >= 1 and <= 1000000$/m],
    [['--tasks', '100001'], /--tasks.*expected a whole number >= 1 and <= 10000$/m],
    [['--shard', '0/100000', '--report', 'r.json'], /shard "0\/100000" is not accepted/],
  ])('explore io-errors %j', async (args, what) => {
    refused(await run('explore', 'io-errors', ...args, '--out', join(seeds.dir, 'o')), what);
  });

  test('a setsize of 2^53-1 and a 240-character name are refused on load', async () => {
    const huge = scenarioFile('huge.json', (s) => {
      (s['threads'] as { ops: unknown[] }[])[1]!.ops = [{ op: 'setsize', size: 2 ** 53 - 1 }];
    });
    refused(await run('explore', huge, '--out', join(seeds.dir, 'o')), /threads\[1\]\.ops\[0\]\.size: .*163840/);
    const long = scenarioFile('long.json', (s) => void (s['name'] = 'a'.repeat(240)));
    refused(await run('explore', long, '--out', join(seeds.dir, 'o')), /name: expected at most 64 characters/);
  });

  test('an --out, --report or --checkpoint that cannot be written is refused before the search', async () => {
    const file = join(seeds.dir, 'a-file');
    writeFileSync(file, 'x');
    const quiet = ['--max-executions', '1', '--minimize', '0'];
    refused(await run('explore', 'io-errors', ...quiet, '--out', join(file, 'sub')), /--out .*a-file is a file, not a directory/);
    refused(await run('explore', 'io-errors', '--shard', '0/2', '--report', seeds.dir, '--out', join(seeds.dir, 'o')), /--report .*: a directory/);
    refused(await run('explore', 'io-errors', '--checkpoint', join(file, 'cp.json'), '--out', join(seeds.dir, 'o')), /--checkpoint .*a-file is a file/);
    refused(await run('report', '--out', join(seeds.dir, 'x'.repeat(300) + '.html')), /--out .*path too long/);
  });

  test('a bare counterexample naming an unknown variant, or whose schedule no longer fits, is bad input', async () => {
    for (const [variant, what] of [['nope', /variant: unknown variant "nope"/], ['', /variant: unknown variant ""/], ['__proto__', /variant: unknown variant "__proto__"/]] as const) {
      const f = join(seeds.dir, `v-${variant || 'empty'}.json`);
      writeFileSync(f, JSON.stringify({ ...(seeds.json.cex as object), variant }));
      refused(await run('replay', f), what);
    }
    const cex = structuredClone(seeds.json.cex) as { schedule: { label: string }[] };
    cex.schedule[2]!.label = 'not a step of the seed';
    const f = join(seeds.dir, 'unfit.json');
    writeFileSync(f, JSON.stringify(cex));
    refused(await run('replay', f), /schedule: the schedule no longer fits/);
  });

  test('report leaves out a bad file, names it, and writes the rest', async () => {
    const bad = join(seeds.dir, 'bad.trace.json');
    writeFileSync(bad, '{"format": "pagercheck-trace"');
    const good = join(seeds.dir, 'seed.trace.json');
    const out = join(seeds.dir, 'report.html');
    const r = await run('report', good, bad, '--out', out);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/report: .*report\.html \(1 counterexample/);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/leaves out 1 of 2 files .*bad\.trace\.json: not JSON/);
    expect(existsSync(out)).toBe(true);
  });
});
