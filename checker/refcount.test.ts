/*
 * The refcount reduction (refcount.ts) against naive enumeration: random
 * programs whose threads acquire and release references on a count (some
 * releasing references they never took, which breaks the ownership
 * discipline and must restart the search), read it, and do plain and locked
 * accesses around. DPOR with the reduction reaches exactly the final states
 * of every interleaving, data races included; while no restart happened it explores one complete
 * execution per trace of the reduced relation, and never more executions than
 * without the reduction.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { explore } from './explore.ts';
import { traceSignature } from './mazurkiewicz.ts';
import { multinomial } from './examples.ts';
import { DporStrategy } from './strategies/dpor.ts';
import { RefLedger } from './refcount.ts';
import { violationKey } from './counterexample.ts';
import { resolveProgram } from './tasks.ts';
import { scenarioRef } from '../traces/checked.ts';
import { access, lock, Mutex, RefCount, refAcquire, refAcquireIfNotZero, refRead, refRelease, refReleaseIfNotLast, unlock } from './sync.ts';
import type { Ctx, KThread } from './op.ts';
import type { ExecutionResult, Program } from './runtime.ts';

type RefOp = 'acquire' | 'acquireIfNotZero' | 'releaseIfNotLast' | 'release' | 'read';
type Instr = { op: 'ref'; r: RefOp; c: number } | { op: 'x'; write: boolean } | { op: 'locked'; r: RefOp; c: number };

interface W {
  readonly ctx: Ctx;
  readonly counts: RefCount[];
  x: number;
  readonly m: Mutex;
  readonly seen: string[][];
}

function* refStep(w: W, tid: number, r: RefOp, c: number): KThread<void> {
  const rc = w.counts[c]!;
  const out =
    r === 'acquire'
      ? (yield* refAcquire(w.ctx, rc), 'a')
      : r === 'acquireIfNotZero'
        ? String(yield* refAcquireIfNotZero(w.ctx, rc))
        : r === 'releaseIfNotLast'
          ? String(yield* refReleaseIfNotLast(w.ctx, rc))
          : r === 'release'
            ? String(yield* refRelease(w.ctx, rc))
            : String(yield* refRead(w.ctx, rc));
  w.seen[tid]!.push(out);
}

function* thread(w: W, tid: number, instrs: readonly Instr[]): KThread<void> {
  for (const ins of instrs) {
    if (ins.op === 'ref') yield* refStep(w, tid, ins.r, ins.c);
    else if (ins.op === 'x') {
      yield access('x', ins.write);
      if (ins.write) w.x = w.x * 3 + tid + 1;
      else w.seen[tid]!.push(`x${w.x}`);
    } else {
      yield* lock(w.ctx, w.m);
      yield* refStep(w, tid, ins.r, ins.c);
      yield* unlock(w.ctx, w.m);
    }
  }
}

function program(threads: readonly (readonly Instr[])[], base: readonly number[]): Program<W> {
  return {
    name: 'refcount-random',
    setup(ctx) {
      const w: W = { ctx, counts: base.map((b, i) => new RefCount(`rc${i}`, b)), x: 0, m: new Mutex('m'), seen: threads.map(() => []) };
      threads.forEach((instrs, tid) => ctx.spawn(`T${tid}`, () => thread(w, tid, instrs)));
      return w;
    },
  };
}

const finalState = (r: ExecutionResult<W>) => `${r.world!.counts.map((c) => c.value).join(',')} x${r.world!.x} | ${r.world!.seen.map((s) => s.join('.')).join(' / ')} | ${r.result.status}`;

/* Final states (races off: a race ends an execution wherever it is seen), trace signatures, and with `races` the violations found. */
function run(p: Program<W>, strategy: 'dfs' | DporStrategy, refcounts: boolean, races = false) {
  const states = new Set<string>();
  const traces: string[] = [];
  const o = explore(p, {
    strategy: strategy === 'dfs' ? { kind: 'dfs' } : strategy,
    stopOnViolation: false,
    races,
    maxExecutions: 200_000,
    onExecution: (r) => {
      states.add(finalState(r));
      traces.push(traceSignature(r, 'commuting', refcounts));
    },
  });
  expect(o.stats.complete).toBe(true);
  return { states: [...states].sort(), traces, o, verdicts: [...new Set((o.status === 'ok' ? [] : o.violations).map((v) => violationKey(v.violation)))].sort() };
}

const refOpArb = fc.constantFrom<RefOp>('acquire', 'acquire', 'acquireIfNotZero', 'releaseIfNotLast', 'releaseIfNotLast', 'release', 'read');
const instrArb: fc.Arbitrary<Instr> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('ref' as const), r: refOpArb, c: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('x' as const), write: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('locked' as const), r: refOpArb, c: fc.integer({ min: 0, max: 1 }) }) },
);
const stepsOf = (t: readonly Instr[]) => 1 + t.reduce((n, i) => n + (i.op === 'locked' ? 3 : 1), 0);
const programArb = fc.record({
  threads: fc.integer({ min: 2, max: 3 }).chain((n) => fc.array(fc.array(instrArb, { minLength: 1, maxLength: 5 }), { minLength: n, maxLength: n })),
  base: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 2 }),
}).filter(({ threads }) => multinomial(threads.map(stepsOf)) <= 20_000);

/* Acquire-then-release pairs on a count the setup holds once: the ownership discipline kept, the guards never at their boundary. */
const disciplined: Instr[] = [
  { op: 'ref', r: 'acquire', c: 0 },
  { op: 'x', write: false },
  { op: 'ref', r: 'releaseIfNotLast', c: 0 },
  { op: 'ref', r: 'acquireIfNotZero', c: 0 },
  { op: 'ref', r: 'releaseIfNotLast', c: 0 },
];

describe('refcount reduction', () => {
  it('random programs: the final states of naive enumeration; one execution per trace unless the search restarted', () => {
    let restarted = 0;
    let reduced = 0;
    fc.assert(
      fc.property(programArb, ({ threads, base }) => {
        const p = program(threads, base);
        const dfs = run(p, 'dfs', true);
        const on = new DporStrategy();
        const dpor = run(p, on, true);
        const off = run(p, new DporStrategy({ refcounts: false }), false);
        expect(dpor.states).toEqual(dfs.states);
        expect(off.states).toEqual(dfs.states);
        // The unlocked accesses of x race unless a lock or a count orders them: the verdict must not depend on the reduction.
        expect(run(p, new DporStrategy(), true, true).verdicts).toEqual(run(p, 'dfs', true, true).verdicts);
        if (on.counters()['refcountRestarts'] === 0 && on.refcountFailures().length === 0) {
          expect(new Set(dpor.traces).size).toBe(dpor.traces.length);
          expect([...new Set(dpor.traces)].sort()).toEqual([...new Set(dfs.traces)].sort());
          expect(dpor.o.stats.executions).toBeLessThanOrEqual(off.o.stats.executions);
          if (dpor.o.stats.executions < off.o.stats.executions) reduced++;
        } else if (on.counters()['refcountRestarts']! > 0) restarted++;
      }),
      { numRuns: Number(process.env['SOUNDNESS_RUNS'] ?? 100) },
    );
    // Both paths were taken: programs the reduction shrank, and programs whose discipline failed after adds.
    expect(reduced).toBeGreaterThan(0);
    expect(restarted).toBeGreaterThan(0);
  }, 300_000);

  it('disciplined threads: one execution where every interleaving of the count operations is equivalent', () => {
    const two = program([disciplined, disciplined], [1, 0]);
    const dfs = run(two, 'dfs', true);
    const on2 = run(two, new DporStrategy(), true);
    expect(on2.states).toEqual(dfs.states);
    // The reads of x commute too: every interleaving is one trace.
    expect(new Set(dfs.traces).size).toBe(1);
    expect(on2.o.stats.executions).toBe(1);
    const three = program([disciplined, disciplined, disciplined], [1, 0]);
    const on = run(three, new DporStrategy(), true);
    const off = run(three, new DporStrategy({ refcounts: false }), false);
    expect(on.states).toEqual(off.states);
    expect(on.o.stats.executions).toBe(1);
    expect(off.o.stats.executions).toBeGreaterThan(100);
  });

  it('a thread that releases the setup reference breaks the discipline: the search restarts with the count plain and still finds the last-reference path', () => {
    const stealer: Instr[] = [{ op: 'ref', r: 'releaseIfNotLast', c: 0 }];
    const p = program([disciplined, stealer], [1, 0]);
    const on = new DporStrategy();
    const dpor = run(p, on, false);
    const dfs = run(p, 'dfs', false);
    expect(dpor.states).toEqual(dfs.states);
    expect(on.refcountFailures().map((f) => f.res)).toContain('rc0');
  });

  it('alloc-race (2 creators, spec and race detector on): the violations with the reduction are those without it, in fewer executions', async () => {
    const r = await resolveProgram(scenarioRef('alloc-race'));
    const keys = (o: ReturnType<typeof explore>) => [...new Set((o.status === 'ok' ? [] : o.violations).map((v) => violationKey(v.violation)))].sort();
    const on = new DporStrategy();
    const withIt = explore(r.program, { stopOnViolation: false, strategy: on, ...(r.stepCheck ? { stepCheck: r.stepCheck } : {}) });
    const without = explore(r.program, { stopOnViolation: false, strategy: new DporStrategy({ refcounts: false }), ...(r.stepCheck ? { stepCheck: r.stepCheck } : {}) });
    expect(withIt.stats.complete && without.stats.complete).toBe(true);
    // The data race on v_object among them: a count operation ordering it in one interleaving must not hide it (races.ts).
    expect(keys(withIt)).toEqual(keys(without));
    expect(keys(withIt)).toContain('data-race on vp1.v_object');
    expect(on.refcountFailures()).toEqual([]);
    expect(withIt.stats.executions).toBeLessThan(without.stats.executions / 2);
  });

  it('the ledger: robust operations become adds, the rest stay as declared; a count changed behind its back is reported', () => {
    const l = new RefLedger();
    const op = (seen: number, delta: number, floor: number | null) => [{ res: 'c', write: true, atomic: true, count: { seen, delta, floor } }] as const;
    expect(l.rewrite(0, op(1, 1, 1))[0]!.commute).toBe('add'); // base 1, own 0: 1 >= 1
    expect(l.rewrite(1, op(2, -1, 2))[0]!.commute).toBeUndefined(); // thread 1 holds none: base 1 + 0 < 2 (and it releases one it did not take)
    expect(l.failures.map((f) => f.why)).toEqual(['thread #1 released a reference on c it did not take']);
    expect(l.restart).not.toBeNull(); // c was taken as an add before
    const m = new RefLedger();
    m.rewrite(0, op(1, 1, 1));
    m.rewrite(0, op(5, -1, 2));
    expect(m.failures[0]!.why).toMatch(/read 5 where its count operations add up to 2/);
  });
});
