/*
 * Data-race detector: two accesses to the same resource, at least one a
 * write, neither `atomic`, made by different threads and not ordered by
 * happens-before. Vector clocks in the manner of FastTrack (Flanagan and
 * Freund, PLDI 2009): the last write of each resource and the reads since,
 * each stamped with its thread's epoch.
 *
 * Happens-before here is synchronisation order, not dependency (which orders
 * every conflicting pair and so would hide every race):
 *  - program order within a thread;
 *  - a spawned thread starts after the step that spawned it;
 *  - synchronisation objects: an access to a "lock:" or "chan:" resource
 *    (acquire, release, sleep interlock, sleep, wakeup, resume) acquires the
 *    object's clock and releases into it, so an unlock orders what came
 *    before it with whoever takes the lock next, a wakeup with the resume;
 *  - a lock held shared (Access.commute 'shared'): a shared acquire or
 *    release acquires what exclusive holders released and adds its clock to
 *    the lock's readers' clock, which the next exclusive operation acquires;
 *    shared holders are not ordered with each other (as rwlock readers are
 *    not), so the verdict does not depend on the order of shared operations,
 *    which commute (dependency.ts);
 *  - atomic accesses: an atomic read acquires from the resource, an atomic
 *    write acquires and releases (read-modify-write), as C11 acquire/release
 *    atomics would; an atomic add whose result is unused (commute 'add') is
 *    relaxed: it orders nothing, so the order of commuting adds cannot matter. This can hide a race on another resource that an atomic
 *    merely happens to precede; it never reports a false one. A reference-count operation (Access.count) is relaxed too, whatever
 *    its mode: under the refcount reduction (refcount.ts) its order with other count operations is not explored, and refcount(9)'s
 *    acquire and release-if-not-last are relaxed atomics in the kernel as well.
 * Within a step, accesses are taken in footprint order: the Op's declared
 * accesses (its effect), then the touches made while the step ran. A
 * release ends an epoch, so a touch after an unlock in the same step is not
 * covered by that unlock.
 *
 * The verdict is a property of the trace (happens-before and the order of
 * conflicting accesses are the same in every equivalent execution), so DPOR
 * exploring one execution per trace misses none.
 */
import type { Ctx } from './op.ts';
import { ClockTable } from './clock.ts';
import { Interner } from './intern.ts';
import type { Monitor, Program, StepRecord, Violation } from './runtime.ts';

/** Resources that are synchronisation objects rather than data. */
export function isSyncResource(res: string): boolean {
  return res.startsWith('lock:') || res.startsWith('chan:');
}

/*
 * State is kept in arrays indexed by interned resource and thread ids and
 * stamped with the execution number, so starting an execution costs nothing
 * and a step allocates nothing: this runs on every step of every execution.
 * Clocks are rows of ClockTables (clock.ts): one per thread, one per
 * synchronisation object (atomic data resources included).
 */
export class RaceDetector {
  private readonly names = new Interner();
  /** Per resource: 1 synchronisation object, 2 data. */
  private isSync = new Uint8Array(64);
  private stamp = new Int32Array(64);
  /** Clock released into each synchronisation object (row = resource id); valid when syncSet & 1. */
  private readonly syncClock = new ClockTable(64, 4);
  /** Clocks of the shared holders of each lock, joined (row = resource id); valid when syncSet & 2. */
  private readonly sharedClock = new ClockTable(64, 4);
  private syncSet = new Uint8Array(64);
  /** Last write per resource: thread (-1 none), epoch, step. */
  private wtid = new Int32Array(64);
  private wepoch = new Int32Array(64);
  private wstep = new Int32Array(64);
  /** Reads since the last write: [tid, epoch, step] triples; nreads[id] of them are current. */
  private reads: number[][] = [];
  private nreads = new Int32Array(64);
  /** Clock of each thread (row = tid). */
  private readonly clocks = new ClockTable(16, 4);
  private threadStamp = new Int32Array(16);
  private exec = 0;
  private labels: string[] = [];
  private tids: number[] = [];
  private ctx: Ctx | null = null;

  /** Starts a new execution; ctx gives thread names for messages. */
  begin(ctx: Ctx | null): void {
    this.exec++;
    this.ctx = ctx;
  }

  private readonly fresh = (id: number, res: string): void => {
    if (id >= this.stamp.length) this.grow(id + 1);
    this.syncClock.ensure(id + 1, this.clocks.width);
    this.sharedClock.ensure(id + 1, this.clocks.width);
    this.isSync[id] = isSyncResource(res) ? 1 : 2;
    this.reads[id] = [];
  };

  private resource(res: string): number {
    const id = this.names.id(res, this.fresh);
    if (this.stamp[id] !== this.exec) {
      this.stamp[id] = this.exec;
      this.syncSet[id] = 0;
      this.wtid[id] = -1;
      this.nreads[id] = 0;
    }
    return id;
  }

  private grow(n: number): void {
    let m = this.stamp.length;
    while (m < n) m *= 2;
    const g8 = (a: Uint8Array) => {
      const b = new Uint8Array(m);
      b.set(a);
      return b;
    };
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(m);
      b.set(a);
      return b;
    };
    this.isSync = g8(this.isSync);
    this.syncSet = g8(this.syncSet);
    this.stamp = g32(this.stamp);
    this.wtid = g32(this.wtid);
    this.wepoch = g32(this.wepoch);
    this.wstep = g32(this.wstep);
    this.nreads = g32(this.nreads);
  }

  /* Thread tid's clock row, reset to "its first epoch, nothing else known" the first time it is used in an execution. */
  private clockOf(tid: number): number {
    if (tid >= this.clocks.width || tid >= this.clocks.rows) {
      this.clocks.ensure(tid + 1, tid + 1);
      this.syncClock.ensure(this.syncClock.rows, this.clocks.width);
      this.sharedClock.ensure(this.sharedClock.rows, this.clocks.width);
    }
    if (tid >= this.threadStamp.length) {
      const b = new Int32Array(Math.max(tid + 1, this.threadStamp.length * 2));
      b.set(this.threadStamp);
      this.threadStamp = b;
    }
    if (this.threadStamp[tid] !== this.exec) {
      this.threadStamp[tid] = this.exec;
      this.clocks.zero(tid, this.clocks.width);
      this.clocks.set(tid, tid, 1);
    }
    return tid;
  }

  /** Checks one step; returns a data-race violation or null. */
  onStep(rec: StepRecord, index: number): Violation | null {
    const t = rec.tid;
    this.labels[index] = rec.label;
    this.tids[index] = t;
    const c = this.clockOf(t);
    const clocks = this.clocks;
    let found: Violation | null = null;
    const fp = rec.fp;
    for (let i = 0; i < fp.length; i++) {
      const a = fp[i]!;
      const id = this.resource(a.res);
      const sync = this.isSync[id] === 1;
      const n = clocks.width;
      if (sync || a.atomic === true) {
        if ((a.commute === 'add' || a.count !== undefined) && !sync) continue;
        const set = this.syncSet[id]!;
        if ((set & 1) !== 0) clocks.join(c, id, n, this.syncClock);
        if (sync && a.commute === 'shared') {
          if ((set & 2) !== 0) this.sharedClock.join(id, c, n, clocks);
          else this.sharedClock.copy(id, c, n, clocks);
          this.syncSet[id] = set | 2;
          clocks.tick(c, t);
          continue;
        }
        if ((set & 2) !== 0) clocks.join(c, id, n, this.sharedClock);
        if (a.write || sync) {
          this.syncClock.copy(id, c, n, clocks);
          this.syncSet[id] = set | 1;
          clocks.tick(c, t);
        }
        continue;
      }
      if (found !== null) continue;
      const wt = this.wtid[id]!;
      if (wt >= 0 && wt !== t && this.wepoch[id]! > clocks.get(c, wt)) {
        found = this.report(a.res, this.wstep[id]!, index, true, a.write);
        continue;
      }
      const rd = this.reads[id]!;
      const nr = this.nreads[id]!;
      if (a.write) {
        for (let k = 0; k < nr; k += 3) {
          const rt = rd[k]!;
          if (rt !== t && rd[k + 1]! > clocks.get(c, rt)) {
            found = this.report(a.res, rd[k + 2]!, index, false, true);
            break;
          }
        }
        if (found !== null) continue;
        this.wtid[id] = t;
        this.wepoch[id] = clocks.get(c, t);
        this.wstep[id] = index;
        this.nreads[id] = 0;
      } else {
        let k = 0;
        for (; k < nr; k += 3) if (rd[k] === t) break;
        rd[k] = t;
        rd[k + 1] = clocks.get(c, t);
        rd[k + 2] = index;
        if (k === nr) this.nreads[id] = nr + 3;
      }
    }
    const spawned = rec.spawned;
    if (spawned !== undefined) {
      for (const child of spawned) {
        const cc = this.clockOf(child);
        clocks.copy(cc, c, clocks.width);
        clocks.set(cc, child, 1);
      }
      clocks.tick(c, t);
    }
    return found;
  }

  private report(res: string, first: number, second: number, firstWrites: boolean, secondWrites: boolean): Violation {
    const who = (i: number) => {
      const tid = this.tids[i]!;
      const name = this.ctx ? this.ctx.threadName(tid) : `#${tid}`;
      return `step ${i} (${name}: ${this.labels[i]})`;
    };
    return {
      kind: 'data-race',
      res,
      first,
      second,
      step: second,
      message: `data race on ${res}: ${firstWrites ? 'write' : 'read'} at ${who(first)} and ${secondWrites ? 'write' : 'read'} at ${who(second)} are not ordered by happens-before`,
    };
  }
}

/**
 * The data-race detector as one of the program's monitors. withRaces puts it
 * first, so at a step it reports before the program's own monitors and
 * invariants, as the runner's per-step check did before monitors existed.
 */
export class RaceMonitor<W = unknown> implements Monitor<W> {
  readonly name = 'data-races';
  private readonly detector = new RaceDetector();
  begin(ctx: Ctx): void {
    this.detector.begin(ctx);
  }
  onStep(rec: StepRecord, index: number): Violation | null {
    return this.detector.onStep(rec, index);
  }
}

/**
 * The program with the race detector among its monitors when `races` (and
 * none there yet): how every runner of the checker (explore, replay,
 * minimize, the split search) turns it on, so any program it runs, a
 * minimization's reduced ones included, carries it by construction.
 */
export function withRaces<W>(program: Program<W>, races: boolean): Program<W> {
  if (!races || (program.monitors?.some((m) => m instanceof RaceMonitor) ?? false)) return program;
  return { ...program, monitors: [new RaceMonitor<W>(), ...(program.monitors ?? [])] };
}
