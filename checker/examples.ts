/*
 * Tiny programs with known answers, independent of the pager: the checker's
 * tests and the benchmark run them. Each thread is a generator of Ops
 * (op.ts) written with the checker's own vocabulary (sync.ts), whose lock and
 * sleep footprints are those of the kernel model's, so the checker is tested
 * on Ops shaped as the port's. Also the resolver of these programs for the
 * split search (ProgramRef, tasks.ts): exampleRef(name, ...args).
 *
 * Thread bodies are top-level generator functions called from an arrow
 * closure: a generator *closure* created in every execution costs V8 a fresh
 * prototype and hidden class each time (old-space garbage, several times
 * slower), an arrow closure does not.
 */
import type { Ctx, KThread } from './op.ts';
import { KernelAssertion } from './op.ts';
import type { Program } from './runtime.ts';
import type { ResolvedProgram } from './tasks.ts';
import { access, Channel, lock, Mutex, sleep, unlock, wakeup } from './sync.ts';

export { access };

export interface TinyWorld {
  readonly ctx: Ctx;
  readonly vars: Record<string, number>;
  readonly locks: Record<string, Mutex>;
}

function world(ctx: Ctx): TinyWorld {
  return { ctx, vars: {}, locks: {} };
}

function lockOf(w: TinyWorld, name: string): Mutex {
  return (w.locks[name] ??= new Mutex(name));
}

export function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

export function factorial(n: number): number {
  let r = 1;
  for (let i = 2; i <= n; i++) r *= i;
  return r;
}

/** (sum of parts)! / prod(part!) */
export function multinomial(parts: readonly number[]): number {
  let r = 1;
  let n = 0;
  for (const p of parts) {
    n += p;
    r *= binom(n, p);
  }
  return r;
}

function* writeTimes(w: TinyWorld, v: string, m: number, atomic: boolean, base = 0) {
  const op = access(v, true, atomic);
  for (let j = 0; j < m; j++) {
    yield op;
    w.vars[v] = base + j + 1;
  }
}

/** k threads, each writing its own variable m times: one Mazurkiewicz trace. */
export function disjointWriters(k: number, m = 1): Program<TinyWorld> {
  return {
    name: `disjoint-writers(k=${k},m=${m})`,
    setup(ctx) {
      const w = world(ctx);
      for (let i = 0; i < k; i++) ctx.spawn(`T${i}`, () => writeTimes(w, `x${i}`, m, false));
      return w;
    },
  };
}

/** `threads` threads each writing one shared variable n times: (threads*n)! / (n!)^threads traces (C(2n, n) for two). */
export function sharedWriters(n: number, threads = 2): Program<TinyWorld> {
  return {
    name: `shared-writers(t=${threads},n=${n})`,
    setup(ctx) {
      const w = world(ctx);
      w.vars['x'] = 0;
      for (let i = 0; i < threads; i++) ctx.spawn(`T${i}`, () => writeTimes(w, 'x', n, true, i * 100));
      return w;
    },
  };
}

function* lockedIncrements(w: TinyWorld, m: Mutex, rounds: number) {
  for (let j = 0; j < rounds; j++) {
    yield* lock(w.ctx, m, 'lock m');
    w.vars['count'] = w.vars['count']! + 1; // under m: ordered by the lock's footprint
    yield* unlock(w.ctx, m, 'unlock m');
  }
}

/** k threads, each incrementing a counter under a mutex `rounds` times: (k*rounds)! / (rounds!)^k traces; the final count is exact. */
export function lockedCounters(k: number, rounds = 1): Program<TinyWorld> {
  return {
    name: `locked-counters(k=${k},rounds=${rounds})`,
    setup(ctx) {
      const w = world(ctx);
      w.vars['count'] = 0;
      const m = lockOf(w, 'm');
      for (let i = 0; i < k; i++) ctx.spawn(`T${i}`, () => lockedIncrements(w, m, rounds));
      return w;
    },
    finals: [{ name: 'count', check: (w) => (w.vars['count'] === k * rounds ? null : `count is ${w.vars['count']}, expected ${k * rounds}`) }],
  };
}

function* unlockedIncrement(w: TinyWorld, atomic: boolean) {
  yield access('x', false, atomic);
  const r = w.vars['x']!;
  yield access('x', true, atomic);
  w.vars['x'] = r + 1;
}

/** Two threads increment x by an unlocked read then write: the final check finds the lost update. */
export function lostUpdate(atomic = true): Program<TinyWorld> {
  return {
    name: 'lost-update',
    setup(ctx) {
      const w = world(ctx);
      w.vars['x'] = 0;
      for (const name of ['A', 'B']) ctx.spawn(name, () => unlockedIncrement(w, atomic));
      return w;
    },
    finals: [{ name: 'no lost update', check: (w) => (w.vars['x'] === 2 ? null : `x is ${w.vars['x']} after two increments`) }],
  };
}

/** A wakeup that can come before the sleep it was meant for: a deadlock when it does. */
export function lostWakeup(): Program<TinyWorld> {
  return {
    name: 'lost-wakeup',
    setup(ctx) {
      const w = world(ctx);
      const m = lockOf(w, 'm');
      const c = new Channel('c');
      ctx.spawn('waker', function* () {
        yield* wakeup(ctx, c);
      });
      ctx.spawn('sleeper', function* () {
        yield* lock(ctx, m, 'lock m');
        yield* sleep(ctx, c, m, 'wait');
        yield* unlock(ctx, m, 'unlock m');
      });
      return w;
    },
  };
}

/** Two threads write x: unsynchronised (a data race), atomically, or under a lock (neither is a race). */
export function racyWrites(mode: 'plain' | 'atomic' | 'locked'): Program<TinyWorld> {
  return {
    name: `racy-writes(${mode})`,
    setup(ctx) {
      const w = world(ctx);
      const m = lockOf(w, 'm');
      for (const name of ['A', 'B'])
        ctx.spawn(name, function* () {
          if (mode === 'locked') {
            yield* lock(ctx, m, 'lock m');
            ctx.touch('x', true); // declared though locked, so the detector sees it
            w.vars['x'] = 1;
            yield* unlock(ctx, m, 'unlock m');
          } else {
            yield access('x', true, mode === 'atomic');
            w.vars['x'] = 1;
          }
        });
      return w;
    },
  };
}

/**
 * A bug that needs one badly timed switch among long runs of noise: worker
 * publishes `ready` before `data` (two separate steps); the reader asserts
 * that data is set whenever it sees ready. Other threads add steps that do
 * not matter. Found by PCT and random walk with a fixed seed. `without`
 * leaves threads out (the minimization hook).
 */
export function publishBeforeInit(noise = 6, without: readonly string[] = []): Program<TinyWorld> {
  const spawn = (ctx: Ctx, name: string, body: () => KThread) => {
    if (!without.includes(name)) ctx.spawn(name, body);
  };
  return {
    name: `publish-before-init(noise=${noise}${without.length > 0 ? `, without ${without.join(',')}` : ''})`,
    setup(ctx) {
      const w = world(ctx);
      w.vars['ready'] = 0;
      w.vars['data'] = 0;
      spawn(ctx, 'writer', function* () {
        for (let i = 0; i < noise; i++) yield access(`w${i}`, true);
        yield access('ready', true, true);
        w.vars['ready'] = 1;
        yield access('data', true, true);
        w.vars['data'] = 42;
      });
      spawn(ctx, 'reader', function* () {
        for (let i = 0; i < noise; i++) {
          yield access('ready', false, true);
          if (w.vars['ready'] === 1) {
            yield access('data', false, true);
            if (w.vars['data'] !== 42) throw new KernelAssertion('KASSERT', 'reader', `ready set but data is ${w.vars['data']}`);
            return;
          }
        }
      });
      spawn(ctx, 'noise', function* () {
        for (let i = 0; i < noise; i++) yield access(`n${i}`, true);
      });
      return w;
    },
  };
}

/** The programs above by name, for ProgramRefs (the split search rebuilds programs in workers and shards). */
export const EXAMPLES: Readonly<Record<string, (...a: never[]) => Program<unknown>>> = {
  disjointWriters,
  sharedWriters,
  lockedCounters,
  lostUpdate,
  lostWakeup,
  racyWrites,
  publishBeforeInit,
};

/** This module as a resolver (tasks.ts): data is { name, args }. */
export function resolveProgram(data: unknown): ResolvedProgram {
  const d = (data ?? {}) as { name?: unknown; args?: unknown };
  const name = typeof d.name === 'string' ? d.name : '';
  const make = Object.hasOwn(EXAMPLES, name) ? EXAMPLES[name] : undefined;
  if (make === undefined) throw new Error(`unknown example program "${String(d.name)}"; accepted: ${Object.keys(EXAMPLES).join(', ')}`);
  const args = Array.isArray(d.args) ? d.args : [];
  return { program: (make as (...a: unknown[]) => Program<unknown>)(...args) };
}

/** The ref of an example program, for exploreParallel, runShard, exploreCheckpointed. */
export function exampleRef(name: string, ...args: (number | string | boolean)[]): { readonly resolver: string; readonly data: { readonly name: string; readonly args?: readonly (number | string | boolean)[] } } {
  return { resolver: EXAMPLES_RESOLVER, data: args.length > 0 ? { name, args } : { name } };
}

export const EXAMPLES_RESOLVER = 'checker/examples.ts';
