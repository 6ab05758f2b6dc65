/*
 * Locks, sleep and wakeup: the scheduling points of the simulated kernel.
 *
 * Kept from FreeBSD (sys/kern/kern_mutex.c, kern_rwlock.c, kern_lock.c,
 * kern_synch.c):
 *  - mtx: one owner, no recursion (v_interlock, pbuf_mtx, the pool mutex of bwait).
 *  - rwlock: one writer or many readers (the vm object lock). rw_wowned.
 *  - lockmgr: shared or exclusive (the vnode lock); LK_RETRY is accepted and
 *    ignored here, since vn_lock's retry matters only for doomed vnodes, which
 *    vnode.ts handles.
 *  - sleep(chan, interlock, PDROP): releases the interlock and goes to sleep
 *    in one step, as msleep/rw_sleep do; a wakeup before the sleep is lost.
 *    wakeup(chan) wakes every sleeper of the channel.
 * Left out: priorities (PVM), timeouts, signals (PCATCH), priority
 * propagation, adaptive spinning, lock order (witness), recursion.
 *
 * Each acquire, release, sleep and wakeup is its own step. A lock is one
 * resource, "lock:NAME", written by every operation on it; a channel is
 * "chan:NAME", written by sleep and wakeup. A shared acquire or release of a
 * lockmgr lock is marked `commute: 'shared'` (checker/dependency.ts: shared
 * operations commute with each other, not with exclusive ones); the holder
 * set is kept in tid order, so that two shared acquisitions in either order
 * leave the same state.
 */
import { KernelAssertion, type Access, type Ctx, type KThread, type ThreadId } from '../../checker/op.ts';

export interface HasCtx {
  readonly ctx: Ctx;
}

export class mtx {
  owner: ThreadId | null = null;
  readonly res: string;
  constructor(
    readonly name: string,
    /** Every access under this mutex is declared (ctx.guarded or unguarded touches): its sections may be one step (Op.section). */
    readonly section = false,
  ) {
    this.res = `lock:${name}`;
  }
}

export class rwlock {
  wowner: ThreadId | null = null;
  readers = 0;
  readonly res: string;
  constructor(readonly name: string) {
    this.res = `lock:${name}`;
  }
}

export const LK_SHARED = 0x200000;
export const LK_EXCLUSIVE = 0x080000;
export const LK_RETRY = 0x000400;
export const LK_INTERLOCK = 0x040000;
export const LK_TYPE_MASK = 0xff0000;

export class lockmgr {
  /** Exclusive owner, or null. */
  xowner: ThreadId | null = null;
  /** Shared holders, in tid order (a set: the order they came in is not state). */
  readonly sharers: ThreadId[] = [];
  readonly res: string;
  /* Footprints of exclusive and shared operations, made once. */
  readonly fpExclusive: readonly Access[];
  readonly fpShared: readonly Access[];
  constructor(readonly name: string) {
    this.res = `lock:${name}`;
    this.fpExclusive = [{ res: this.res, write: true }];
    this.fpShared = [{ res: this.res, write: true, commute: 'shared' }];
  }
}

/** Where a lock operation is made: a seed line, or a kernel routine. */
export interface Site {
  readonly line?: number;
  readonly fn?: string;
}

function holderText(k: HasCtx, tid: ThreadId | null): string {
  return tid === null ? 'nobody' : k.ctx.threadName(tid);
}

export function* mtx_lock(k: HasCtx, m: mtx, label: string, at: Site = {}): KThread<void> {
  yield {
    kind: 'lock',
    label,
    ...at,
    fp: [{ res: m.res, write: true }],
    enabled: () => m.owner === null,
    waitsFor: () => `${m.name} held by ${holderText(k, m.owner)}`,
    ...(m.section ? { section: true } : {}),
  };
  m.owner = k.ctx.tid;
}

export function* mtx_unlock(k: HasCtx, m: mtx, label: string, at: Site = {}): KThread<void> {
  yield { kind: 'unlock', label, ...at, fp: [{ res: m.res, write: true }] };
  if (m.owner !== k.ctx.tid) throw new KernelAssertion('lock', at.fn ?? 'mtx_unlock', `mutex ${m.name} not owned`, at.line);
  m.owner = null;
}

export function mtx_owned(k: HasCtx, m: mtx): boolean {
  return m.owner === k.ctx.tid;
}

export function* rw_wlock(k: HasCtx, l: rwlock, label: string, at: Site = {}): KThread<void> {
  yield {
    kind: 'lock',
    label,
    ...at,
    fp: [{ res: l.res, write: true }],
    enabled: () => l.wowner === null && l.readers === 0,
    waitsFor: () => `${l.name} held by ${l.wowner !== null ? holderText(k, l.wowner) : `${l.readers} reader(s)`}`,
  };
  if (l.wowner === k.ctx.tid) throw new KernelAssertion('lock', at.fn ?? 'rw_wlock', `${l.name}: recursing on non-recursive rwlock`, at.line);
  l.wowner = k.ctx.tid;
}

export function* rw_wunlock(k: HasCtx, l: rwlock, label: string, at: Site = {}): KThread<void> {
  yield { kind: 'unlock', label, ...at, fp: [{ res: l.res, write: true }] };
  if (l.wowner !== k.ctx.tid) throw new KernelAssertion('lock', at.fn ?? 'rw_wunlock', `${l.name}: wunlock of a lock not write-owned by this thread`, at.line);
  l.wowner = null;
}

export function rw_wowned(k: HasCtx, l: rwlock): boolean {
  return l.wowner === k.ctx.tid;
}

export function* lockmgr_lock(k: HasCtx, l: lockmgr, flags: number, label: string, at: Site = {}): KThread<void> {
  const excl = (flags & LK_TYPE_MASK) === LK_EXCLUSIVE;
  yield {
    kind: 'lock',
    label,
    ...at,
    fp: excl ? l.fpExclusive : l.fpShared,
    enabled: excl ? () => l.xowner === null && l.sharers.length === 0 : () => l.xowner === null,
    waitsFor: () => `${l.name} held ${l.xowner !== null ? `exclusively by ${holderText(k, l.xowner)}` : `shared by ${l.sharers.map((t) => holderText(k, t)).join(', ')}`}`,
  };
  const me = k.ctx.tid;
  if (l.xowner === me || l.sharers.includes(me)) throw new KernelAssertion('lock', at.fn ?? 'lockmgr', `${l.name}: lock recursed`, at.line);
  if (excl) l.xowner = me;
  else {
    let i = l.sharers.length;
    while (i > 0 && l.sharers[i - 1]! > me) i--;
    l.sharers.splice(i, 0, me);
  }
}

export function* lockmgr_unlock(k: HasCtx, l: lockmgr, label: string, at: Site = {}): KThread<void> {
  // Only this thread changes whether it holds the lock exclusively: known before the step runs.
  yield { kind: 'unlock', label, ...at, fp: l.xowner === k.ctx.tid ? l.fpExclusive : l.fpShared };
  const me = k.ctx.tid;
  if (l.xowner === me) l.xowner = null;
  else {
    const i = l.sharers.indexOf(me);
    if (i < 0) throw new KernelAssertion('lock', at.fn ?? 'lockmgr', `${l.name}: unlock of a lock not held by this thread`, at.line);
    l.sharers.splice(i, 1);
  }
}

/** LK_EXCLUSIVE when the current thread holds it exclusively, LK_SHARED when shared, 0 otherwise (VOP_ISLOCKED). */
export function lockmgr_status(k: HasCtx, l: lockmgr): number {
  const me = k.ctx.tid;
  if (l.xowner === me) return LK_EXCLUSIVE;
  if (l.sharers.includes(me)) return LK_SHARED;
  return 0;
}

/* ---- sleep queues ---- */

/** Sleepers by channel, in the order they went to sleep. */
export class SleepQueues {
  private readonly q = new Map<string, ThreadId[]>();
  /** Threads woken and not yet resumed. */
  private readonly woken = new Set<ThreadId>();

  enqueue(chan: string, tid: ThreadId): void {
    const l = this.q.get(chan);
    if (l) l.push(tid);
    else this.q.set(chan, [tid]);
  }
  /** Wakes every sleeper of chan; returns how many. */
  wakeAll(chan: string): number {
    const l = this.q.get(chan);
    if (!l) return 0;
    this.q.delete(chan);
    for (const t of l) this.woken.add(t);
    return l.length;
  }
  isWoken(tid: ThreadId): boolean {
    return this.woken.has(tid);
  }
  resume(tid: ThreadId): void {
    this.woken.delete(tid);
  }
  sleepers(chan: string): readonly ThreadId[] {
    return this.q.get(chan) ?? [];
  }
}

export const PDROP = 0x200;
/** Sleep priority of the VM (sys/priority.h); kept for fidelity, the model ignores priorities. */
export const PVM = 4;

export type Interlock = { readonly kind: 'mtx'; readonly lock: mtx } | { readonly kind: 'rw'; readonly lock: rwlock } | null;

export interface HasSleepq extends HasCtx {
  readonly sleepq: SleepQueues;
}

/**
 * msleep/rw_sleep: atomically drop the interlock and sleep on chan; after a
 * wakeup, re-take the interlock unless PDROP. wmesg names the sleep as the
 * kernel does ("vadead", "vodead", "wswbuf0", "vnread").
 */
export function* sleep(k: HasSleepq, chan: string, interlock: Interlock, pri: number, wmesg: string, at: Site = {}): KThread<void> {
  const chanRes = `chan:${chan}`;
  const fp = interlock ? [{ res: chanRes, write: true }, { res: interlock.lock.res, write: true }] : [{ res: chanRes, write: true }];
  yield { kind: 'sleep', label: `sleep "${wmesg}" on ${chan}`, ...at, fp };
  const me = k.ctx.tid;
  if (interlock) {
    if (interlock.kind === 'mtx') {
      if (interlock.lock.owner !== me) throw new KernelAssertion('lock', at.fn ?? 'msleep', `${interlock.lock.name} not owned at sleep "${wmesg}"`, at.line);
      interlock.lock.owner = null;
    } else {
      if (interlock.lock.wowner !== me) throw new KernelAssertion('lock', at.fn ?? 'rw_sleep', `${interlock.lock.name} not write-locked at sleep "${wmesg}"`, at.line);
      interlock.lock.wowner = null;
    }
  }
  k.sleepq.enqueue(chan, me);
  yield {
    kind: 'wake',
    label: `wake from "${wmesg}" on ${chan}`,
    ...at,
    fp: [{ res: chanRes, write: false }],
    enabled: () => k.sleepq.isWoken(me),
    waitsFor: () => `a wakeup on ${chan} ("${wmesg}")`,
  };
  k.sleepq.resume(me);
  if (interlock && (pri & PDROP) === 0) {
    if (interlock.kind === 'mtx') yield* mtx_lock(k, interlock.lock, `relock ${interlock.lock.name} after "${wmesg}"`, at);
    else yield* rw_wlock(k, interlock.lock, `relock ${interlock.lock.name} after "${wmesg}"`, at);
  }
}

/** wakeup(chan): wakes every thread asleep on chan. A wakeup with no sleeper is lost. */
export function* wakeup(k: HasSleepq, chan: string, at: Site = {}): KThread<void> {
  yield { kind: 'wakeup', label: `wakeup(${chan})`, ...at, fp: [{ res: `chan:${chan}`, write: true }] };
  k.sleepq.wakeAll(chan);
}
