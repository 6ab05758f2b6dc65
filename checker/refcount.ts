/*
 * Reference counts: the refcount reduction of the dependency relation.
 *
 * A step that works on a reference count says so with Ctx.touch's `count`
 * (op.ts Count): the value it read, how much it changed it, and the `floor`
 * from which on it would have done the same (refcount_release_if_not_last
 * that released: floor 2; an acquire or a KASSERT that the count is not
 * zero: floor 1; the last reference or a slow path: null). Without the
 * reduction such an access is the plain atomic access it declares.
 *
 * With it, a count operation is an 'add' (dependency.ts: it commutes with
 * other adds, conflicts with reads and writes of the count) when it is
 * robust: floor != null and base + own >= floor, where base is the count at
 * the start of the execution and own what the thread's own count operations
 * added so far (the references it holds). Otherwise it is the plain access.
 *
 * Why that is sound. Premise (the ownership discipline), checked here on
 * every count operation: (a) every change of the count is a count operation
 * (the value read is base plus every delta so far), and (b) no thread's own
 * goes below zero (a thread releases only references it took). Under it the
 * count is base + the sum of every thread's own >= base + own of any one
 * thread, at every state. A robust operation therefore runs where the count
 * is >= its floor in every interleaving, so it does the same thing there:
 * its delta, its path, its result depend only on its thread's own history.
 * Its mode (which depends on own alone) is the same in every interleaving
 * too. So two adjacent robust operations of different threads commute: same
 * count after both (the sum of the same deltas), same local states, neither
 * enables or disables the other (count steps never block), and each keeps
 * its footprint: the relation is an ordinary footprint relation, and DPOR,
 * its sleep sets and trace signatures need nothing else.
 *
 * When the premise fails (the check fails on some step: a thread drops a
 * reference it was given, or the count changed behind the vocabulary's
 * back), the counter is made plain for the rest of the search, and the
 * search starts again (strategies/dpor.ts) if it ever treated one of its
 * operations as an add. Why the failure is noticed: consider the program in
 * which the failing step ends the execution; every state before it
 * satisfies the premise, so the relation is valid there and DPOR explores an
 * execution of every trace of it, among them one that reaches the failing
 * step (a step whose failure depends on its own thread's history alone).
 * The search up to that point is that program's search.
 */
import type { Access } from './op.ts';

interface CounterState {
  /** The count when the execution first touched it. */
  readonly base: number;
  /** Sum of every delta so far. */
  total: number;
  /** Per thread: the sum of its deltas (the references it holds). */
  readonly own: number[];
}

/** Why the ownership discipline failed, for the first counter that failed it. */
export interface RefFailure {
  readonly res: string;
  readonly why: string;
}

/** The per-execution bookkeeping of the refcount reduction: rewrites count accesses to adds where they are robust. */
export class RefLedger {
  /** Counters the reduction is off for: their discipline failed earlier in the search. */
  readonly plain = new Set<string>();
  /** Counters with an operation classified as an add since the search (re)started. */
  private readonly added = new Set<string>();
  private readonly counters = new Map<string, CounterState>();
  /** Set when a counter whose operations were taken as adds fails the discipline: the search must start again. */
  restart: RefFailure | null = null;
  /** Every failure seen (counter and why), in order. */
  readonly failures: RefFailure[] = [];

  /** A new execution. */
  reset(): void {
    this.counters.clear();
  }

  /** A new search: what was added is forgotten (the plain counters stay plain). */
  restarted(): void {
    this.added.clear();
    this.restart = null;
    this.counters.clear();
  }

  /** The step's footprint with each robust count access turned into an add (the same array when there is none). */
  rewrite(tid: number, fp: readonly Access[]): readonly Access[] {
    let out: Access[] | null = null;
    for (let i = 0; i < fp.length; i++) {
      const a = fp[i]!;
      if (a.count === undefined) continue;
      if (this.robust(tid, a)) {
        out ??= fp.slice();
        out[i] = { res: a.res, write: a.write, atomic: true, commute: 'add' };
      }
    }
    return out ?? fp;
  }

  private robust(tid: number, a: Access): boolean {
    const c = a.count!;
    let st = this.counters.get(a.res);
    if (st === undefined) {
      st = { base: c.seen, total: 0, own: [] };
      this.counters.set(a.res, st);
    }
    const own = st.own[tid] ?? 0;
    st.own[tid] = own + c.delta;
    const expected = st.base + st.total;
    st.total += c.delta;
    if (this.plain.has(a.res)) return false;
    if (c.seen !== expected) return this.fail(a.res, `${a.res} read ${c.seen} where its count operations add up to ${expected}: a step changed it without saying by how much`);
    if (own + c.delta < 0) return this.fail(a.res, `thread #${tid} released a reference on ${a.res} it did not take`);
    if (c.floor === null || st.base + own < c.floor) return false;
    this.added.add(a.res);
    return true;
  }

  private fail(res: string, why: string): false {
    this.plain.add(res);
    const f = { res, why };
    this.failures.push(f);
    if (this.added.has(res) && this.restart === null) this.restart = f;
    return false;
  }
}
