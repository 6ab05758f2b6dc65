import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_THREADS, parseScenario, ScenarioError, OP_NAMES, opText, type ScenarioInput } from './scenario.ts';
import { CATALOG } from './catalog.ts';
import { scenarioArb } from './generate.ts';

const base: ScenarioInput = {
  name: 'base',
  description: 'a valid scenario',
  fs: { flavor: 'block', f_iosize: 4096 },
  file: { size: 8192 },
  initial: { object: true, mappings: 1 },
  threads: [{ name: 'T1', ops: [{ op: 'getpages', pindex: 0 }] }],
};

function errorOf(input: unknown): string {
  try {
    parseScenario(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error('scenario was accepted');
}

describe('scenario schema', () => {
  it('accepts a valid scenario and fills the defaults of the 2017 callers', () => {
    const s = parseScenario(base);
    expect(s.threads[0]!.ops[0]).toEqual({ op: 'getpages', pindex: 0, count: 1, rbehind: 0, rahead: 0, vnodeLock: 'shared' });
    expect(s.faults).toEqual({ readErrorPages: [], writeErrorPages: [] });
    expect(s.bounds).toEqual({});
  });

  it.each([
    ['an unknown flavor', { ...base, fs: { flavor: 'zfs', f_iosize: 4096 } }, 'scenario base: fs.flavor: Invalid option: expected one of "block"|"small"|"nobmap"'],
    ['a block size the flavor cannot have', { ...base, fs: { flavor: 'small', f_iosize: 4096 } }, 'scenario base: fs.f_iosize: 4096 is not a block size of a small filesystem; accepted: 512, 1024, 2048'],
    ['an unknown operation', { ...base, threads: [{ name: 'T1', ops: [{ op: 'mmap' }] }] }, "threads[0].ops[0].op: Invalid discriminator value. Expected 'alloc' | 'deallocate'"],
    ['an unknown field', { ...base, threads: [{ name: 'T1', ops: [{ op: 'vgone', force: true }] }] }, 'threads[0].ops[0]: Unrecognized key: "force"'],
    ['a negative pindex', { ...base, threads: [{ name: 'T1', ops: [{ op: 'getpages', pindex: -1 }] }] }, 'threads[0].ops[0].pindex: Too small: expected number to be >=0'],
    ['a hole past the file', { ...base, file: { size: 8192, holes: [2] } }, "file.holes[0]: block 2 is past the file's 2 blocks of 4096 bytes; accepted: 0..1"],
    ['holes on a filesystem without bmap', { ...base, fs: { flavor: 'nobmap', f_iosize: 4096 }, file: { size: 8192, holes: [0] } }, 'file.holes: a nobmap filesystem has no block map; accepted: []'],
    ['runs that do not cover the file', { ...base, file: { size: 8192, runs: [1] } }, "file.runs: runs cover 1 blocks; accepted: run lengths summing to the file's 2 blocks"],
    ['a deallocate without alloc', { ...base, threads: [{ name: 'T1', ops: [{ op: 'deallocate' }] }] }, 'threads[0].ops[0]: deallocate without an earlier alloc in this thread'],
    ['a fault without a mapping', { ...base, initial: { object: true }, threads: [{ name: 'T1', ops: [{ op: 'getpages', pindex: 0 }] }] }, 'threads[0].ops[0]: getpages needs a mapping of the file'],
    ['a release without its update', { ...base, threads: [{ name: 'T1', ops: [{ op: 'release_writecount' }] }] }, 'release_writecount of 4096 bytes without a matching update_writecount'],
    ['a dirty page that is not valid', { ...base, initial: { object: true, mappings: 1, pages: [{ pindex: 0, valid: false, dirty: true }] } }, 'initial.pages[0].dirty: only a valid page can be dirtied'],
    ['pages without the object', { ...base, initial: { object: false, pages: [{ pindex: 0 }] }, threads: [{ name: 'T1', ops: [{ op: 'vgone' }] }] }, 'initial.object: mappings and resident pages need the object; accepted: true'],
    ['two threads with one name', { ...base, threads: [{ name: 'T1', ops: [{ op: 'vgone' }] }, { name: 'T1', ops: [{ op: 'vgone' }] }] }, 'threads[1].name: thread name "T1" used twice'],
    ['no threads', { ...base, threads: [] }, 'threads: Too small: expected array to have >=1 items'],
  ])('rejects %s with one line naming the field and what is accepted', (_what, input, expected) => {
    const msg = errorOf(input);
    expect(msg).toContain(expected);
    expect(msg).not.toContain('\n');
  });

  it('names an unnamed scenario in its error', () => {
    expect(errorOf({ description: 'x' })).toMatch(/^scenario \(unnamed\): name: /);
  });

  it('lists every operation the issue asks for', () => {
    for (const op of ['alloc', 'deallocate', 'create_vobject', 'destroy_vobject', 'vgone', 'setsize', 'getpages', 'getpages_async', 'putpages', 'haspage', 'update_writecount', 'release_writecount'])
      expect(OP_NAMES).toContain(op);
  });

  it('renders an operation with its parameters', () => {
    const s = parseScenario({ ...base, threads: [{ name: 'T1', ops: [{ op: 'getpages', pindex: 3, rbehind: 2 }] }] });
    expect(opText(s.threads[0]!.ops[0]!)).toBe('getpages(pindex 3, count 1, rbehind 2, rahead 0, vnodeLock shared)');
  });
});

describe('scenario catalog', () => {
  // Concurrent scenarios are the point; a sequential one (a fault at one sector) checks the pager's answers alone.
  it('takes up to MAX_THREADS (8) threads and refuses more in one line', () => {
    const t = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `T${i + 1}`, ops: [{ op: 'vgone' as const }] }));
    expect(MAX_THREADS).toBe(8);
    expect(parseScenario({ ...base, threads: t(8) }).threads).toHaveLength(8);
    expect(() => parseScenario({ ...base, threads: t(9) })).toThrow(/^scenario [a-z0-9-]+: threads: Too big: expected array to have <=8 items$/);
  });

  it('has scenarios of 3 and of 4 threads, each complete within its search or bounded with its reason stated', () => {
    expect(CATALOG.filter((s) => s.threads.length === 3).length).toBeGreaterThanOrEqual(4);
    expect(CATALOG.filter((s) => s.threads.length === 4).length).toBeGreaterThanOrEqual(2);
    // A 4-thread scenario searched by DPOR itself, not only under a preemption bound.
    expect(CATALOG.some((s) => s.threads.length === 4 && s.bounds.preemptions === undefined)).toBe(true);
    for (const n of ['alloc-race-3', 'alloc-race-4', 'create-vs-destroy-vs-alloc', 'opens-vs-vgone-vs-alloc', 'two-faults-vs-truncate', 'two-faults-vs-pagedaemon']) expect(CATALOG.map((s) => s.name)).toContain(n);
  });

  it('has at least 12 uniquely named, valid scenarios of 2-3 threads, and none of more than 4', () => {
    expect(new Set(CATALOG.map((s) => s.name)).size).toBe(CATALOG.length);
    expect(CATALOG.filter((s) => s.threads.length >= 2 && s.threads.length <= 3).length).toBeGreaterThanOrEqual(12);
    for (const s of CATALOG) {
      expect(parseScenario(s)).toEqual(s);
      expect(s.threads.length).toBeGreaterThanOrEqual(1);
      expect(s.threads.length).toBeLessThanOrEqual(4);
    }
  });

  it('covers the situations the issue lists', () => {
    const has = (pred: (s: (typeof CATALOG)[number]) => boolean) => CATALOG.some(pred);
    const ops = (s: (typeof CATALOG)[number]) => s.threads.map((t) => t.ops.map((o) => o.op));
    const threadsDo = (s: (typeof CATALOG)[number], ...want: string[][]) => want.every((w) => ops(s).some((t) => w.every((x) => t.includes(x as never))));
    expect(has((s) => ops(s).filter((t) => t.includes('alloc') || t.includes('create_vobject')).length >= 2)).toBe(true);
    expect(has((s) => threadsDo(s, ['alloc'], ['vgone']))).toBe(true);
    expect(has((s) => threadsDo(s, ['create_vobject'], ['destroy_vobject']))).toBe(true);
    expect(has((s) => threadsDo(s, ['setsize'], ['getpages']))).toBe(true);
    expect(has((s) => threadsDo(s, ['setsize'], ['putpages']))).toBe(true);
    expect(has((s) => s.threads.filter((t) => t.ops.some((o) => o.op === 'getpages' && (o.rbehind > 0 || o.rahead > 0))).length >= 2)).toBe(true);
    expect(has((s) => threadsDo(s, ['update_writecount', 'release_writecount'], ['vgone']))).toBe(true);
    expect(has((s) => threadsDo(s, ['getpages_async'], ['vgone']))).toBe(true);
    expect(has((s) => threadsDo(s, ['haspage'], ['setsize']))).toBe(true);
    expect(has((s) => s.faults.readErrorPages.length > 0 && threadsDo(s, ['getpages'], ['putpages']) && s.faults.writeErrorPages.length > 0)).toBe(true);
    expect(has((s) => s.fs.flavor === 'small')).toBe(true);
    expect(has((s) => s.fs.flavor === 'nobmap')).toBe(true);
  });
});

describe('generated scenarios', () => {
  it('are valid, and so is every shrink of them', () => {
    fc.assert(
      fc.property(scenarioArb(), (s) => {
        expect(parseScenario(s)).toEqual(s);
        expect(s.threads.length).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300, seed: 5 },
    );
    // Shrinking: a property that fails on every scenario with a vgone shrinks to a minimal one that still parses.
    const r = fc.check(
      fc.property(scenarioArb(), (s) => !s.threads.some((t) => t.ops.some((o) => o.op === 'vgone'))),
      { numRuns: 300, seed: 7 },
    );
    expect(r.failed).toBe(true);
    const min = r.counterexample![0];
    expect(parseScenario(min)).toEqual(min);
    // Two threads of one operation each (the generator's smallest), one of them the vgone.
    expect(min.threads.map((t) => t.ops.length)).toEqual([1, 1]);
    expect(min.threads.flatMap((t) => t.ops)).toContainEqual({ op: 'vgone' });
    expect(min.file.size).toBeLessThanOrEqual(4096);
  });
});
