/*
 * Dependency between steps: the one definition the checker uses.
 *
 * Two steps of different threads are DEPENDENT when their footprints conflict:
 * some access of one and some access of the other name the same resource and
 * at least one of the two writes it. Nothing else makes steps dependent. The
 * kernel's conventions (impl/kernel/CONTRACT.md, sync.ts) turn every kind of
 * interaction into such a conflict:
 *  - operations on the same lock: every acquire, release and sleep interlock
 *    writes "lock:NAME";
 *  - sleep and wakeup on the same channel: both write "chan:NAME", and the
 *    resume after a wakeup reads it;
 *  - I/O submit and completion of the same buffer: both write the buffer's
 *    resource;
 *  - unlocked shared state: the `access` Op or ctx.touch() names the field.
 * `atomic` does not weaken dependency (an atomic write still orders the
 * steps around it); it only exempts the pair from data-race reports
 * (checker/races.ts).
 *
 * Commuting writes (Access.commute), defined here once per kind, and taken
 * into account unless the relation is asked for `plain` (the off switch):
 *  - 'shared': an acquire or release of a lock held shared (lockmgr
 *    LK_SHARED). Two of them, by different threads, commute: each changes
 *    only its own thread's membership in the holder set, and whether a shared
 *    acquire is enabled depends only on the exclusive owner, which neither
 *    changes. They conflict with every exclusive operation on the lock (which
 *    is enabled only when no one holds it shared). So a 'shared' access is a
 *    read of the lock, an exclusive one a write.
 *  - 'add': an atomic add whose result the step does not use (a reference
 *    count increment). Two adds commute (the sum does not depend on the
 *    order); an add conflicts with any read (the value seen depends on the
 *    order) and any write. A reference-count operation (Access.count) is such an
 *    add under the refcount reduction when it is robust (refcount.ts); the
 *    functions here see it already rewritten, otherwise as the plain access.
 * Reads commute with reads, as ever. Model code that only records what
 * happened for the observers declares no access at all.
 *
 * Two steps of the same thread are always ordered (program order), and a
 * thread's first step is ordered after the step that spawned it; neither is
 * dependency in this sense, and both are handled where clocks are kept.
 *
 * Assumption the search relies on (DPOR's sleep sets and race reversal): whether
 * an Op is enabled depends only on resources in its own declared footprint,
 * so a step independent of it can neither enable nor disable it. The kernel's
 * blocking Ops follow this (a lock acquire is enabled by the state of the
 * lock it names; a resume by the wakeup on its channel).
 *
 * The exploration code never re-derives conflicts itself: it uses the
 * functions below, or the interned form (CompiledFp) whose `dependentFp` is
 * the same relation on small integers.
 */
import type { Access } from './op.ts';
import { Interner } from './intern.ts';

/** The dependency relation: with the commuting kinds (default), or `plain` (every write conflicts). */
export type Relation = 'commuting' | 'plain';

/** Access modes of the compiled form: read, write, add. */
export const READ = 0;
export const WRITE = 1;
export const ADD = 2;

/** The mode an access has under a relation. */
export function modeOf(a: Access, relation: Relation = 'commuting'): number {
  if (relation === 'commuting') {
    if (a.commute === 'shared') return READ;
    if (a.commute === 'add') return ADD;
  }
  return a.write ? WRITE : READ;
}

/* Two modes of one resource conflict unless both read or both add. */
function modesConflict(x: number, y: number): boolean {
  return x === WRITE || y === WRITE || x !== y;
}

/** Two accesses conflict: same resource, and not both reads nor (commuting) both 'shared' or both 'add'. */
export function conflicts(a: Access, b: Access, relation: Relation = 'commuting'): boolean {
  return a.res === b.res && modesConflict(modeOf(a, relation), modeOf(b, relation));
}

/** Two footprints are dependent when some pair of their accesses conflicts. */
export function dependent(a: readonly Access[], b: readonly Access[], relation: Relation = 'commuting'): boolean {
  for (const x of a) for (const y of b) if (conflicts(x, y, relation)) return true;
  return false;
}

/**
 * A footprint with resources interned to small integers: each entry is
 * `id * 4 + mode` (READ, WRITE, ADD), one entry per resource: two different
 * modes of one resource in one step make a WRITE (a step that reads and adds
 * conflicts with both reads and adds).
 */
export type CompiledFp = readonly number[];

/* Modes of one resource in one step, together. */
function unionMode(x: number, y: number): number {
  return x === y ? x : WRITE;
}

/** Compiles footprints for one exploration under one relation: resource names interned (intern.ts), single accesses shared. */
export class ResourceTable {
  constructor(readonly relation: Relation = 'commuting') {}

  private readonly interner = new Interner();
  readonly names: readonly string[] = this.interner.names;
  /* One shared compiled footprint per single access of a resource (by mode): most steps have exactly one access. */
  private readonly single: CompiledFp[] = [];
  /* Last footprint compiled: a declared Op footprint is one array reused step after step. */
  private lastFp: readonly Access[] | null = null;
  private lastCompiled: CompiledFp = [];
  private readonly fresh = (i: number): void => {
    this.single.push([i * 4 + READ], [i * 4 + WRITE], [i * 4 + ADD]);
  };

  id(res: string): number {
    return this.interner.id(res, this.fresh);
  }

  get size(): number {
    return this.names.length;
  }

  compile(fp: readonly Access[]): CompiledFp {
    if (fp === this.lastFp) return this.lastCompiled;
    const out = this.compileNew(fp);
    this.lastFp = fp;
    this.lastCompiled = out;
    return out;
  }

  private compileNew(fp: readonly Access[]): CompiledFp {
    if (fp.length === 0) return EMPTY;
    if (fp.length === 1) {
      const a = fp[0]!;
      return this.single[this.id(a.res) * 3 + modeOf(a, this.relation)]!;
    }
    const out: number[] = [];
    outer: for (const a of fp) {
      const id = this.id(a.res);
      const m = modeOf(a, this.relation);
      for (let k = 0; k < out.length; k++) {
        if (out[k]! >> 2 === id) {
          out[k] = id * 4 + unionMode(out[k]! & 3, m);
          continue outer;
        }
      }
      out.push(id * 4 + m);
    }
    return out;
  }
}

const EMPTY: CompiledFp = [];

/** `dependent` on compiled footprints. */
export function dependentFp(a: CompiledFp, b: CompiledFp): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    for (let j = 0; j < b.length; j++) {
      const y = b[j]!;
      if (x >> 2 === y >> 2 && modesConflict(x & 3, y & 3)) return true;
    }
  }
  return false;
}

/** Union of two compiled footprints (different modes of one resource make a write). */
export function unionFp(a: CompiledFp, b: CompiledFp): CompiledFp {
  if (a.length === 0) return b;
  if (b.length === 0 || a === b) return a;
  let out: number[] | null = null;
  outer: for (const y of b) {
    const cur = out ?? a;
    for (let k = 0; k < cur.length; k++) {
      const x = cur[k]!;
      if (x >> 2 === y >> 2) {
        const u = (x & ~3) | unionMode(x & 3, y & 3);
        if (u !== x) {
          out ??= a.slice();
          out[k] = u;
        }
        continue outer;
      }
    }
    out ??= a.slice();
    out.push(y);
  }
  return out ?? a;
}
