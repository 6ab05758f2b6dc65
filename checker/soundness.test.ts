/*
 * Soundness of the reduction: for random small programs (reads, writes,
 * atomic adds whose result is unused, choices, mutex-protected blocks, nested
 * mutexes, shared/exclusive lockmgr blocks, sleep and wakeup over a few
 * variables, 2-3 threads), DPOR reaches the same set of final states as
 * naive enumeration of every interleaving, and it explores exactly one
 * complete execution per Mazurkiewicz trace (the same set of traces, none
 * twice), under the commuting dependency relation (shared lock operations
 * commute, adds commute: dependency.ts) and under the plain one, with DPOR's
 * lock-aware races (a hand-off reversed at the holder's acquire) on and off.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { explore } from './explore.ts';
import { traceSignature } from './mazurkiewicz.ts';
import { multinomial } from './examples.ts';
import { splitPlan } from './split.ts';
import { DporStrategy } from './strategies/dpor.ts';
import type { Relation } from './dependency.ts';
import type { Ctx, Op } from './op.ts';
import type { ExecutionResult, Program } from './runtime.ts';
import { LK_EXCLUSIVE, LK_SHARED, lockmgr, lockmgr_lock, lockmgr_unlock, mtx, mtx_lock, mtx_unlock, sleep, wakeup, SleepQueues } from '../impl/kernel/sync.ts';

type Access = { op: 'read' | 'write' | 'add'; v: number };
type Instr =
  | Access
  | { op: 'choose' }
  | { op: 'locked'; m: number; body: Access[] }
  /** Takes lock `outer`, then the other one, then releases both: two threads nesting in opposite orders can deadlock. */
  | { op: 'nested'; outer: number }
  /** A block under the shared/exclusive lock (lockmgr, as the vnode lock): readers may hold it together. */
  | { op: 'vnlocked'; shared: boolean; body: Access[] }
  | { op: 'wakeup'; c: number }
  | { op: 'sleep'; c: number }
  /** Sleeps on c0 with m0 as interlock (dropped by the sleep, taken again after the wakeup), then unlocks m0. */
  | { op: 'sleepLocked' };

interface W {
  readonly ctx: Ctx;
  readonly sleepq: SleepQueues;
  readonly vars: number[];
  readonly locks: mtx[];
  readonly vnlock: lockmgr;
  /** What each thread read or chose, in order. */
  readonly seen: number[][];
}

const VARS = ['x', 'y'];
const accessOps: Op[][] = VARS.map((v) => [
  { kind: 'access', label: `read ${v}`, fp: [{ res: v, write: false }] },
  { kind: 'access', label: `write ${v}`, fp: [{ res: v, write: true }] },
  { kind: 'access', label: `add to ${v}`, fp: [{ res: v, write: true, atomic: true, commute: 'add' }] },
]);
const chooseOp: Op = { kind: 'choice', label: 'choose', fp: [] };

function* access(w: W, tid: number, a: Access) {
  yield accessOps[a.v]![a.op === 'write' ? 1 : a.op === 'add' ? 2 : 0]!;
  const seen = w.seen[tid]!;
  if (a.op === 'read') seen.push(w.vars[a.v]!);
  else if (a.op === 'add') w.vars[a.v] = w.vars[a.v]! + tid + 1;
  else w.vars[a.v] = 10 * (tid + 1) + seen.length + (seen[seen.length - 1] ?? 0);
}

function* thread(w: W, tid: number, instrs: readonly Instr[]) {
  for (const ins of instrs) {
    switch (ins.op) {
      case 'read':
      case 'write':
      case 'add':
        yield* access(w, tid, ins);
        break;
      case 'choose':
        yield chooseOp;
        w.seen[tid]!.push(100 + w.ctx.choose(2, 'coin'));
        break;
      case 'locked':
        yield* mtx_lock(w, w.locks[ins.m]!, `lock m${ins.m}`);
        for (const a of ins.body) yield* access(w, tid, a);
        yield* mtx_unlock(w, w.locks[ins.m]!, `unlock m${ins.m}`);
        break;
      case 'nested': {
        const a = w.locks[ins.outer]!;
        const b = w.locks[1 - ins.outer]!;
        yield* mtx_lock(w, a, `lock ${a.name}`);
        yield* mtx_lock(w, b, `lock ${b.name}`);
        yield* mtx_unlock(w, b, `unlock ${b.name}`);
        yield* mtx_unlock(w, a, `unlock ${a.name}`);
        break;
      }
      case 'vnlocked':
        yield* lockmgr_lock(w, w.vnlock, ins.shared ? LK_SHARED : LK_EXCLUSIVE, ins.shared ? 'slock vn' : 'xlock vn');
        for (const a of ins.body) yield* access(w, tid, a);
        yield* lockmgr_unlock(w, w.vnlock, 'unlock vn');
        break;
      case 'wakeup':
        yield* wakeup(w, `c${ins.c}`);
        break;
      case 'sleep':
        yield* sleep(w, `c${ins.c}`, null, 0, `wait c${ins.c}`);
        break;
      case 'sleepLocked':
        yield* mtx_lock(w, w.locks[0]!, 'lock m0');
        yield* sleep(w, 'c0', { kind: 'mtx', lock: w.locks[0]! }, 0, 'wait c0 with m0');
        yield* mtx_unlock(w, w.locks[0]!, 'unlock m0');
        break;
    }
  }
}

function program(threads: readonly (readonly Instr[])[]): Program<W> {
  return {
    name: 'random',
    setup(ctx) {
      const w: W = { ctx, sleepq: new SleepQueues(), vars: VARS.map(() => 0), locks: [new mtx('m0'), new mtx('m1')], vnlock: new lockmgr('vn'), seen: threads.map(() => []) };
      threads.forEach((instrs, tid) => ctx.spawn(`T${tid}`, () => thread(w, tid, instrs)));
      return w;
    },
  };
}

function steps(instrs: readonly Instr[]): number {
  let n = 1;
  for (const i of instrs) n += i.op === 'locked' || i.op === 'vnlocked' ? 2 + i.body.length : i.op === 'nested' ? 4 : i.op === 'sleep' ? 2 : i.op === 'sleepLocked' ? 5 : 1;
  return n;
}

const accessArb: fc.Arbitrary<Access> = fc.record({ op: fc.constantFrom('read' as const, 'write' as const, 'add' as const), v: fc.integer({ min: 0, max: 1 }) });
const instrArb: fc.Arbitrary<Instr> = fc.oneof(
  { weight: 4, arbitrary: accessArb },
  { weight: 1, arbitrary: fc.constant({ op: 'choose' as const }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('locked' as const), m: fc.integer({ min: 0, max: 1 }), body: fc.array(accessArb, { minLength: 0, maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('nested' as const), outer: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('vnlocked' as const), shared: fc.boolean(), body: fc.array(accessArb, { minLength: 0, maxLength: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wakeup' as const), c: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('sleep' as const), c: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'sleepLocked' as const }) },
);
const programArb = fc
  .integer({ min: 2, max: 3 })
  .chain((n) => fc.array(fc.array(instrArb, { minLength: 1, maxLength: 4 }), { minLength: n, maxLength: n }))
  // Keep naive enumeration small: at most this many interleavings (times choice values).
  .filter((ts) => multinomial(ts.map(steps)) * 2 ** ts.flat().filter((i) => i.op === 'choose').length <= Number(process.env['SOUNDNESS_MAX_INTERLEAVINGS'] ?? 20_000));

/* Naive enumeration of a few hundred programs takes 10-40 s alone, several times that on a loaded machine. */
const FUZZ_TIMEOUT = 300_000;

function finalState(r: ExecutionResult<W>): string {
  const w = r.world!;
  const st = r.result;
  const end = st.status === 'ok' ? 'ok' : st.status === 'violation' ? `${st.violation.kind}: ${st.violation.message}` : `error ${st.error}`;
  return `${w.vars.join(',')} | ${w.seen.map((s) => s.join('.')).join(' / ')} | ${end}`;
}

function explored(p: Program<W>, kind: 'dpor' | 'dfs' | DporStrategy, relation: Relation = 'commuting') {
  const states = new Set<string>();
  const traces: string[] = [];
  const o = explore(p, {
    strategy: typeof kind === 'string' ? { kind } : kind,
    stopOnViolation: false,
    races: false,
    maxExecutions: 500_000,
    onExecution: (r) => {
      states.add(finalState(r));
      traces.push(traceSignature(r, relation));
    },
  });
  expect(o.status === 'error' ? o.error.message : o.stats.complete).toBe(true);
  return { states, traces, o };
}

describe('DPOR soundness on random programs', () => {
  it('reaches the final states naive DFS reaches, one execution per trace', () => {
    fc.assert(
      fc.property(programArb, (threads) => {
        const p = program(threads);
        const dfs = explored(p, 'dfs');
        const dpor = explored(p, 'dpor');
        expect([...dpor.states].sort()).toEqual([...dfs.states].sort());
        // No two complete DPOR executions are equivalent, and every trace is covered.
        expect(new Set(dpor.traces).size).toBe(dpor.traces.length);
        expect([...new Set(dpor.traces)].sort()).toEqual([...new Set(dfs.traces)].sort());
      }),
      { numRuns: Number(process.env['SOUNDNESS_RUNS'] ?? 150) },
    );
  }, FUZZ_TIMEOUT);

  it('with the plain relation (the off switch: every write conflicts) too', () => {
    fc.assert(
      fc.property(programArb, (threads) => {
        const p = program(threads);
        const dfs = explored(p, 'dfs', 'plain');
        const dpor = explored(p, new DporStrategy({ relation: 'plain' }), 'plain');
        expect([...dpor.states].sort()).toEqual([...dfs.states].sort());
        // Lock-aware races off too: the search before issue 15.
        const old = explored(p, new DporStrategy({ relation: 'plain', lockAware: false }), 'plain');
        expect([...old.states].sort()).toEqual([...dfs.states].sort());
        expect(new Set(old.traces).size).toBe(old.traces.length);
        expect(new Set(dpor.traces).size).toBe(dpor.traces.length);
        expect([...new Set(dpor.traces)].sort()).toEqual([...new Set(dfs.traces)].sort());
      }),
      { numRuns: Number(process.env['SOUNDNESS_RUNS'] ?? 60) },
    );
  }, FUZZ_TIMEOUT);

  it('shared lock holders and adds commute: fewer traces than under the plain relation, the same final states', () => {
    // Three threads: each takes the vnode lock shared, adds to x and reads y, releases; one writer of y under the exclusive lock.
    const sharedAdder: Instr[] = [{ op: 'vnlocked', shared: true, body: [{ op: 'add', v: 0 }] }, { op: 'read', v: 1 }];
    const p = program([sharedAdder, sharedAdder, [{ op: 'vnlocked', shared: false, body: [{ op: 'write', v: 1 }] }]]);
    const dfs = explored(p, 'dfs');
    const commuting = explored(p, 'dpor');
    const plain = explored(p, new DporStrategy({ relation: 'plain' }), 'plain');
    expect([...commuting.states].sort()).toEqual([...dfs.states].sort());
    expect([...plain.states].sort()).toEqual([...dfs.states].sort());
    expect(commuting.o.stats.executions).toBe(new Set(dfs.traces).size);
    expect(commuting.o.stats.executions).toBeLessThan(plain.o.stats.executions);
  });

  it('split search (prefixes with sleep sets, DPOR below from each sleep set) covers every trace once, like sequential DPOR', () => {
    let splitExecutions = 0;
    let seqExecutions = 0;
    let blocked = 0;
    fc.assert(
      fc.property(programArb, fc.constantFrom(2, 4, 16), (threads, minTasks) => {
        const p = program(threads);
        const dfs = explored(p, 'dfs');
        const seq = explored(p, 'dpor');
        const plan = splitPlan(p, { minTasks, races: false });
        blocked += plan.sleepBlocked;
        const states = new Set<string>();
        const traces: string[] = [];
        for (const t of plan.tasks) {
          const r = explored(p, new DporStrategy({ prefix: t.prefix, initialSleep: t.sleep }));
          for (const s of r.states) states.add(s);
          traces.push(...r.traces);
          splitExecutions += r.o.stats.executions;
        }
        seqExecutions += seq.o.stats.executions;
        expect([...states].sort()).toEqual([...dfs.states].sort());
        // Exactly one complete execution per trace across all tasks: no subtree repeats another's trace.
        expect(new Set(traces).size).toBe(traces.length);
        expect([...new Set(traces)].sort()).toEqual([...new Set(dfs.traces)].sort());
      }),
      { numRuns: Number(process.env['SOUNDNESS_RUNS'] ?? 150) },
    );
    // The sleep sets above the split did prune prefixes, and the split search stays near DPOR's count (cut executions included).
    expect(blocked).toBeGreaterThan(0);
    expect(splitExecutions).toBeLessThan(1.5 * seqExecutions);
  }, FUZZ_TIMEOUT);

  it('a hand-written lock-order inversion: both deadlock and success are reached', () => {
    const p = program([[{ op: 'nested', outer: 0 }], [{ op: 'nested', outer: 1 }]]);
    const dpor = explored(p, 'dpor');
    expect([...dpor.states].sort()).toEqual([...explored(p, 'dfs').states].sort());
    expect([...dpor.states].some((s) => s.endsWith('| ok'))).toBe(true);
    expect([...dpor.states].some((s) => s.includes('deadlock'))).toBe(true);
  });
});
