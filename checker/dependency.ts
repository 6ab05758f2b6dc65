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

/** Two accesses conflict: same resource, at least one writes. */
export function conflicts(a: Access, b: Access): boolean {
  return a.res === b.res && (a.write || b.write);
}

/** Two footprints are dependent when some pair of their accesses conflicts. */
export function dependent(a: readonly Access[], b: readonly Access[]): boolean {
  for (const x of a) for (const y of b) if (conflicts(x, y)) return true;
  return false;
}

/**
 * A footprint with resources interned to small integers: each entry is
 * `id * 2 + (write ? 1 : 0)`, one entry per resource (a write subsumes a read
 * of the same resource in the same step).
 */
export type CompiledFp = readonly number[];

/** Compiles footprints for one exploration: resource names interned (intern.ts), single accesses shared. */
export class ResourceTable {
  private readonly interner = new Interner();
  readonly names: readonly string[] = this.interner.names;
  /* One shared compiled footprint per single read / single write of a resource: most steps have exactly one access. */
  private readonly singleRead: CompiledFp[] = [];
  private readonly singleWrite: CompiledFp[] = [];
  /* Last footprint compiled: a declared Op footprint is one array reused step after step. */
  private lastFp: readonly Access[] | null = null;
  private lastCompiled: CompiledFp = [];
  private readonly fresh = (i: number): void => {
    this.singleRead.push([i * 2]);
    this.singleWrite.push([i * 2 + 1]);
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
      const i = this.id(a.res);
      return a.write ? this.singleWrite[i]! : this.singleRead[i]!;
    }
    const out: number[] = [];
    outer: for (const a of fp) {
      const e = this.id(a.res) * 2 + (a.write ? 1 : 0);
      for (let k = 0; k < out.length; k++) {
        if (out[k]! >> 1 === e >> 1) {
          out[k] = out[k]! | e;
          continue outer;
        }
      }
      out.push(e);
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
      if (x >> 1 === y >> 1 && ((x | y) & 1) === 1) return true;
    }
  }
  return false;
}

/** Union of two compiled footprints (a write wins over a read). */
export function unionFp(a: CompiledFp, b: CompiledFp): CompiledFp {
  if (a.length === 0) return b;
  if (b.length === 0 || a === b) return a;
  let out: number[] | null = null;
  outer: for (const y of b) {
    const cur = out ?? a;
    for (let k = 0; k < cur.length; k++) {
      const x = cur[k]!;
      if (x >> 1 === y >> 1) {
        if ((x | y) !== x) {
          out ??= a.slice();
          out[k] = x | y;
        }
        continue outer;
      }
    }
    out ??= a.slice();
    out.push(y);
  }
  return out ?? a;
}
