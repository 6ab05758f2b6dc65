/*
 * Critical sections as single steps (runtime.ts Sections, DporOptions.sections):
 * random programs of mutex sections over guarded cells, some with an
 * unguarded access, a sleep or a nested lock inside, and unguarded accesses
 * outside, reach with sections on the same final states (and deadlocks) as
 * naive enumeration of every interleaving; a guarded access made without
 * its lock, and a resource declared both guarded and unguarded, are errors
 * of the declarations, never silent.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { explore } from './explore.ts';
import { multinomial } from './examples.ts';
import { DporStrategy } from './strategies/dpor.ts';
import { access, Cell, Channel, load, lock, Mutex, sleep, store, unlock, wakeup } from './sync.ts';
import type { Ctx, KThread } from './op.ts';
import type { ExecutionResult, Program } from './runtime.ts';

type Body = { op: 'read' | 'write'; g: number } | { op: 'free'; v: number; write: boolean } | { op: 'sleep' } | { op: 'nested' };
type Instr = { op: 'free'; v: number; write: boolean } | { op: 'section'; m: number; body: Body[] } | { op: 'wakeup' };

interface W {
  readonly ctx: Ctx;
  readonly m: Mutex[];
  /** g[m]: the cells mutex m protects. */
  readonly g: Cell[][];
  readonly free: Cell[];
  readonly chan: Channel;
  readonly seen: number[][];
}

function* readOrWrite(w: W, tid: number, c: Cell, write: boolean): KThread<void> {
  const seen = w.seen[tid]!;
  if (write) yield* store(c, 10 * (tid + 1) + seen.length + (seen[seen.length - 1] ?? 0));
  else seen.push(yield* load(c));
}

function* thread(w: W, tid: number, instrs: readonly Instr[]): KThread<void> {
  for (const ins of instrs) {
    if (ins.op === 'free') yield* readOrWrite(w, tid, w.free[ins.v]!, ins.write);
    else if (ins.op === 'wakeup') yield* wakeup(w.ctx, w.chan);
    else {
      const m = w.m[ins.m]!;
      yield* lock(w.ctx, m);
      for (const b of ins.body) {
        if (b.op === 'free') yield* readOrWrite(w, tid, w.free[b.v]!, b.write);
        else if (b.op === 'sleep') yield* sleep(w.ctx, w.chan, m, 'wait');
        else if (b.op === 'nested') {
          // The other mutex inside this one; its cells and ours are both guarded while both are held.
          const o = w.m[1 - ins.m]!;
          yield* lock(w.ctx, o);
          yield* readOrWrite(w, tid, w.g[1 - ins.m]![0]!, true);
          yield* readOrWrite(w, tid, w.g[ins.m]![0]!, false);
          yield* unlock(w.ctx, o);
        } else yield* readOrWrite(w, tid, w.g[ins.m]![b.g]!, b.op === 'write');
      }
      yield* unlock(w.ctx, m);
    }
  }
}

function program(threads: readonly Instr[][]): Program<W> {
  return {
    name: 'sections',
    setup(ctx) {
      const m = [new Mutex('m0', true), new Mutex('m1', true)];
      const w: W = {
        ctx,
        m,
        g: m.map((mx, i) => [new Cell(`g${i}a`, 0, mx), new Cell(`g${i}b`, 0, mx)]),
        free: [new Cell('x', 0), new Cell('y', 0)],
        chan: new Channel('c'),
        seen: threads.map(() => []),
      };
      threads.forEach((t, i) => ctx.spawn(`T${i}`, () => thread(w, i, t)));
      return w;
    },
  };
}

const freeArb = fc.record({ op: fc.constant('free' as const), v: fc.integer({ min: 0, max: 1 }), write: fc.boolean() });
const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('read' as const), g: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('write' as const), g: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 2, arbitrary: freeArb },
  { weight: 1, arbitrary: fc.constant({ op: 'sleep' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'nested' as const }) },
);
const instrArb: fc.Arbitrary<Instr> = fc.oneof(
  { weight: 2, arbitrary: freeArb },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('section' as const), m: fc.integer({ min: 0, max: 1 }), body: fc.array(bodyArb, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'wakeup' as const }) },
);

/* Steps of a thread, an upper bound for the interleaving count that keeps naive enumeration small. */
function steps(t: readonly Instr[]): number {
  let n = 0;
  for (const i of t) n += i.op === 'section' ? 2 + i.body.reduce((k, b) => k + (b.op === 'nested' ? 4 : b.op === 'sleep' ? 3 : 1), 0) : 1;
  return n;
}

const programArb = fc
  .integer({ min: 2, max: 3 })
  .chain((n) => fc.array(fc.array(instrArb, { minLength: 1, maxLength: 3 }), { minLength: n, maxLength: n }))
  .filter((ts) => multinomial(ts.map(steps)) <= 3_000);

function finalState(r: ExecutionResult<W>): string {
  const w = r.world!;
  const st = r.result;
  const end = st.status === 'ok' ? 'ok' : st.status === 'violation' ? `${st.violation.kind}: ${st.violation.message}` : `error ${st.error}`;
  return `${[...w.free, ...w.g.flat()].map((c) => c.value).join(',')} | ${w.seen.map((s) => s.join('.')).join(' / ')} | ${end}`;
}

function explored(p: Program<W>, strategy: { kind: 'dfs' } | DporStrategy) {
  const states = new Set<string>();
  const o = explore(p, { strategy, stopOnViolation: false, races: false, maxExecutions: 500_000, onExecution: (r) => states.add(finalState(r)) });
  expect(o.status === 'error' ? o.error.message : o.stats.complete).toBe(true);
  return { states: [...states].sort(), executions: o.stats.executions, steps: o.stats.steps };
}

describe('critical sections as single steps', () => {
  it('reach the final states naive DFS reaches, on random programs', { timeout: 60_000 }, () => {
    let fewer = 0;
    let more = 0;
    fc.assert(
      fc.property(programArb, (threads) => {
        const p = program(threads);
        const dfs = explored(p, { kind: 'dfs' });
        const on = explored(p, new DporStrategy({ sections: true }));
        const off = explored(p, new DporStrategy({ sections: false }));
        expect(on.states).toEqual(dfs.states);
        expect(off.states).toEqual(dfs.states);
        if (on.executions < off.executions) fewer++;
        if (on.executions > off.executions) more++;
      }),
      { numRuns: 100, seed: 15_2 },
    );
    // Merging must pay somewhere (sections whose contents commute), and never cost an execution here.
    expect(more).toBe(0);
    expect(fewer).toBeGreaterThanOrEqual(3);
  });

  it('two sections on one lock whose contents commute are one trace; with a conflicting write, two', () => {
    const two = (write: boolean): Program<W> => program([[{ op: 'section', m: 0, body: [{ op: 'read', g: 0 }] }], [{ op: 'section', m: 0, body: [{ op: write ? 'write' : 'read', g: 0 }] }]]);
    const count = (p: Program<W>, sections: boolean) => explore(p, { strategy: new DporStrategy({ sections }), races: false }).stats.executions;
    expect([count(two(false), true), count(two(false), false), count(two(true), true), count(two(true), false)]).toEqual([1, 2, 2, 2]);
  });

  it('a guarded access without its lock is a harness error naming the access', () => {
    const p: Program<{ c: Cell }> = {
      name: 'unguarded',
      setup(ctx) {
        const c = new Cell('g', 0, new Mutex('m', true));
        ctx.spawn('T0', function* () {
          yield* load(c);
        });
        return { c };
      },
    };
    const o = explore(p, { strategy: new DporStrategy(), races: false });
    expect(o.status).toBe('error');
    expect(o.status === 'error' ? o.error.message : '').toContain('T0 read g, declared guarded by lock:m, without holding it');
  });

  it('a resource declared guarded in one place and unguarded in another is an error naming both', () => {
    const p: Program<object> = {
      name: 'mixed',
      setup(ctx) {
        const m = new Mutex('m', true);
        const c = new Cell('g', 0, m);
        ctx.spawn('T0', function* () {
          yield* lock(ctx, m);
          yield* load(c);
          yield* unlock(ctx, m);
          yield access('g', true);
        });
        return {};
      },
    };
    const o = explore(p, { strategy: new DporStrategy(), races: false });
    expect(o.status === 'error' ? o.error.message : o.status).toContain('resource g is accessed guarded by lock:m at "read g" and unguarded at "write g"');
    // Without sections the declarations are not needed for soundness, and not checked for consistency.
    expect(explore(p, { strategy: new DporStrategy({ sections: false }), races: false }).status).toBe('ok');
  });
});
