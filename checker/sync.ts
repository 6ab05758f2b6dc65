/*
 * The checker's own synchronisation vocabulary, for programs written against
 * checker/index.ts alone: mutexes, readers-writer locks, atomic cells
 * (load, store, compare-and-swap, read-modify-write), plain shared accesses,
 * and sleep/wakeup on channels.
 *
 * Each operation is one step, and its footprint follows the conventions of
 * dependency.ts and races.ts: a lock is the resource "lock:NAME", written by
 * every acquire and release (so all of them are ordered, and the race
 * detector treats it as an acquire-release object); a channel is
 * "chan:NAME", written by sleep and wakeup and read by the resume; a cell is
 * its own name, its atomic operations marked atomic (dependencies for DPOR,
 * never data races).
 *
 * Usage inside a thread body: `yield* lock(ctx, m)`, `const ok = yield* cas(ctx, c, 0, 1)`.
 * Misuse (unlocking a mutex the thread does not hold, sleeping without the
 * interlock) fails as a KernelAssertion of kind 'lock', that is a violation.
 */
import { KernelAssertion, type Access, type Ctx, type KThread, type Op, type ThreadId } from './op.ts';

function holder(ctx: Ctx, tid: ThreadId | null): string {
  return tid === null ? 'nobody' : ctx.threadName(tid);
}

/** A mutex: one owner, no recursion. */
export class Mutex {
  owner: ThreadId | null = null;
  readonly res: string;
  constructor(
    readonly name: string,
    /**
     * Every access made under this mutex is declared (guarded Cells or
     * accesses): its critical sections may run as one step (Op.section,
     * runtime.ts Sections).
     */
    readonly section = false,
  ) {
    this.res = `lock:${name}`;
  }
}

export function* lock(ctx: Ctx, m: Mutex, label = `lock ${m.name}`): KThread<void> {
  yield {
    kind: 'lock',
    label,
    fp: [{ res: m.res, write: true }],
    enabled: () => m.owner === null,
    waitsFor: () => `${m.name} held by ${holder(ctx, m.owner)}`,
    ...(m.section ? { section: true } : {}),
  };
  m.owner = ctx.tid;
}

export function* unlock(ctx: Ctx, m: Mutex, label = `unlock ${m.name}`): KThread<void> {
  yield { kind: 'unlock', label, fp: [{ res: m.res, write: true }] };
  if (m.owner !== ctx.tid) throw new KernelAssertion('lock', 'unlock', `mutex ${m.name} not owned`);
  m.owner = null;
}

/** A readers-writer lock: one writer or any number of readers. */
export class RwLock {
  writer: ThreadId | null = null;
  readers = 0;
  readonly res: string;
  constructor(readonly name: string) {
    this.res = `lock:${name}`;
  }
}

export function* wlock(ctx: Ctx, l: RwLock, label = `wlock ${l.name}`): KThread<void> {
  yield {
    kind: 'lock',
    label,
    fp: [{ res: l.res, write: true }],
    enabled: () => l.writer === null && l.readers === 0,
    waitsFor: () => `${l.name} held by ${l.writer !== null ? holder(ctx, l.writer) : `${l.readers} reader(s)`}`,
  };
  l.writer = ctx.tid;
}

export function* wunlock(ctx: Ctx, l: RwLock, label = `wunlock ${l.name}`): KThread<void> {
  yield { kind: 'unlock', label, fp: [{ res: l.res, write: true }] };
  if (l.writer !== ctx.tid) throw new KernelAssertion('lock', 'wunlock', `${l.name} not write-locked by this thread`);
  l.writer = null;
}

/* Read acquire and release also write the lock's resource: simple, and sound for the enabledness assumption of dpor.ts. */
export function* rlock(ctx: Ctx, l: RwLock, label = `rlock ${l.name}`): KThread<void> {
  yield {
    kind: 'lock',
    label,
    fp: [{ res: l.res, write: true }],
    enabled: () => l.writer === null,
    waitsFor: () => `${l.name} write-held by ${holder(ctx, l.writer)}`,
  };
  l.readers++;
}

export function* runlock(_ctx: Ctx, l: RwLock, label = `runlock ${l.name}`): KThread<void> {
  yield { kind: 'unlock', label, fp: [{ res: l.res, write: true }] };
  if (l.readers === 0) throw new KernelAssertion('lock', 'runlock', `${l.name} not read-locked`);
  l.readers--;
}

const accessOps = new Map<string, Op>();

/**
 * The Op of a step that reads (or writes) shared resource `res` without a
 * lock; the program does the access itself right after the yield. Ops are
 * immutable, so one is kept per (res, write, atomic).
 */
export function access(res: string, write: boolean, atomic = false, guard?: Mutex): Op {
  const key = `${res}/${write ? 'w' : 'r'}${atomic ? 'a' : ''}${guard ? `/${guard.res}` : ''}`;
  let op = accessOps.get(key);
  if (op === undefined) {
    const fp: Access[] = [guard ? { res, write, guard: guard.res } : atomic ? { res, write, atomic } : { res, write }];
    op = { kind: 'access', label: `${write ? 'write' : 'read'} ${res}`, fp };
    accessOps.set(key, op);
  }
  return op;
}

/** A shared memory cell. Plain load/store are data-race candidates; the atomic ones are not. */
export class Cell<T = number> {
  constructor(
    readonly name: string,
    public value: T,
    /** The mutex that protects the cell: its loads and stores are made holding it (checked by the runtime). */
    readonly guard?: Mutex,
  ) {}
}

export function* load<T>(c: Cell<T>, atomic = false): KThread<T> {
  yield access(c.name, false, atomic, c.guard);
  return c.value;
}

export function* store<T>(c: Cell<T>, v: T, atomic = false): KThread<void> {
  yield access(c.name, true, atomic, c.guard);
  c.value = v;
}

/** Atomic compare-and-swap: true (and the cell holds `next`) when it held `expected`. A write either way, as on hardware. */
export function* cas<T>(c: Cell<T>, expected: T, next: T): KThread<boolean> {
  yield access(c.name, true, true);
  if (c.value !== expected) return false;
  c.value = next;
  return true;
}

/** Atomic read-modify-write: stores f(old), returns old (fetch-and-add is `rmw(c, (v) => v + 1)`). */
export function* rmw<T>(c: Cell<T>, f: (old: T) => T): KThread<T> {
  yield access(c.name, true, true);
  const old = c.value;
  c.value = f(old);
  return old;
}

/** A wait channel: threads sleep on it until a wakeup; a wakeup with no sleeper is lost. */
export class Channel {
  readonly res: string;
  private sleepers: ThreadId[] = [];
  private readonly woken = new Set<ThreadId>();
  constructor(readonly name: string) {
    this.res = `chan:${name}`;
  }
  /** @internal */ enqueue(tid: ThreadId): void {
    this.sleepers.push(tid);
  }
  /** @internal */ wakeAll(): void {
    for (const t of this.sleepers) this.woken.add(t);
    this.sleepers = [];
  }
  isWoken(tid: ThreadId): boolean {
    return this.woken.has(tid);
  }
  /** @internal */ resume(tid: ThreadId): void {
    this.woken.delete(tid);
  }
}

/**
 * Drops `interlock` (when given, it must be held) and goes to sleep on `chan`
 * in one step; after a wakeup, resumes (a step disabled until woken) and
 * re-takes the interlock (a third step).
 */
export function* sleep(ctx: Ctx, chan: Channel, interlock: Mutex | null, wmesg = 'sleep'): KThread<void> {
  const fp: Access[] = interlock ? [{ res: chan.res, write: true }, { res: interlock.res, write: true }] : [{ res: chan.res, write: true }];
  yield { kind: 'sleep', label: `sleep "${wmesg}" on ${chan.name}`, fp };
  const me = ctx.tid;
  if (interlock) {
    if (interlock.owner !== me) throw new KernelAssertion('lock', 'sleep', `${interlock.name} not owned at sleep "${wmesg}"`);
    interlock.owner = null;
  }
  chan.enqueue(me);
  yield {
    kind: 'wake',
    label: `wake from "${wmesg}" on ${chan.name}`,
    fp: [{ res: chan.res, write: false }],
    enabled: () => chan.isWoken(me),
    waitsFor: () => `a wakeup on ${chan.name} ("${wmesg}")`,
  };
  chan.resume(me);
  if (interlock) yield* lock(ctx, interlock, `relock ${interlock.name} after "${wmesg}"`);
}

/** Wakes every thread asleep on `chan`. */
export function* wakeup(_ctx: Ctx, chan: Channel): KThread<void> {
  yield { kind: 'wakeup', label: `wakeup(${chan.name})`, fp: [{ res: chan.res, write: true }] };
  chan.wakeAll();
}

/**
 * A reference count (refcount.ts): its operations tell the checker what they
 * read and changed (Ctx.touch's `count`), so that under the refcount
 * reduction those whose effect cannot depend on the others' commute.
 */
export class RefCount {
  constructor(
    readonly name: string,
    public value: number,
  ) {}
}

const refOp = (c: RefCount, what: string): Op => ({ kind: 'access', label: `${what}(${c.name})`, fp: [] });

/** refcount_acquire: one more reference, the old count unused. */
export function* refAcquire(ctx: Ctx, c: RefCount): KThread<void> {
  yield refOp(c, 'refcount_acquire');
  ctx.touch(c.name, true, true, { seen: c.value, delta: 1, floor: -Infinity });
  c.value++;
}

/** refcount_acquire_if_not_zero: true (and one more reference) unless the count was zero. */
export function* refAcquireIfNotZero(ctx: Ctx, c: RefCount): KThread<boolean> {
  yield refOp(c, 'refcount_acquire_if_not_zero');
  const ok = c.value > 0;
  ctx.touch(c.name, true, true, ok ? { seen: c.value, delta: 1, floor: 1 } : { seen: c.value, delta: 0, floor: null });
  if (ok) c.value++;
  return ok;
}

/** refcount_release_if_not_last: true (and one reference fewer) unless this was the last one. */
export function* refReleaseIfNotLast(ctx: Ctx, c: RefCount): KThread<boolean> {
  yield refOp(c, 'refcount_release_if_not_last');
  const ok = c.value > 1;
  ctx.touch(c.name, true, true, ok ? { seen: c.value, delta: -1, floor: 2 } : { seen: c.value, delta: 0, floor: null });
  if (ok) c.value--;
  return ok;
}

/** refcount_release: one reference fewer; true when it was the last. */
export function* refRelease(ctx: Ctx, c: RefCount): KThread<boolean> {
  yield refOp(c, 'refcount_release');
  const last = c.value <= 1;
  ctx.touch(c.name, true, true, { seen: c.value, delta: -1, floor: last ? null : 2 });
  c.value--;
  return last;
}

/** Reads the count (the whole value: its result depends on every other operation). */
export function* refRead(ctx: Ctx, c: RefCount): KThread<number> {
  yield refOp(c, 'refcount_load');
  ctx.touch(c.name, false, true, { seen: c.value, delta: 0, floor: null });
  return c.value;
}
