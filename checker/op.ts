/*
 * The protocol between modelled kernel threads and the checker.
 *
 * A kernel thread is a generator. Each `yield` hands the runtime an Op that
 * describes the thread's *next* step: the step begins with the Op's effect
 * (the code right after the yield) and runs on to the next yield. The runtime
 * decides when that step runs; the thread never does.
 *
 * Dependency between steps (checker/dependency.ts) is derived only from
 * footprints: the Op's declared accesses plus whatever the step adds with
 * Ctx.touch while it runs. Rule for model code: every access to state that
 * another thread can reach and that is not protected by a lock the thread
 * holds must be declared, either as its own Op or with touch(). Accesses made
 * under a lock are ordered by the lock's own footprint.
 */

export type ThreadId = number;

/** One access to a named shared resource ("vp1.v_object", "lock:obj1", "chan:obj1"). */
export interface Access {
  readonly res: string;
  readonly write: boolean;
  /**
   * The access is synchronised by design (an atomic, or a read the kernel
   * makes without a lock on purpose and re-checks). Still a dependency for
   * DPOR; never reported as a data race.
   */
  readonly atomic?: boolean;
  /**
   * Accesses that commute with each other though they write
   * (checker/dependency.ts): 'shared', an acquire or release of a lock held
   * shared (commutes with other shared ones, not with exclusive ones);
   * 'add', an atomic add whose result the step does not use (commutes with
   * other adds, not with reads or writes).
   */
  readonly commute?: 'shared' | 'add';
  /**
   * A reference-count operation (checker/refcount.ts): the value the step
   * read and how the step changed it. Without the refcount reduction it is
   * the plain access above.
   */
  readonly count?: Count;
  /**
   * The lock that protects the resource ("lock:obj1"): the access is made
   * holding it (the runtime checks; without it the model's declaration is
   * wrong, a harness error). Inside a section the runtime may merge
   * (Op.section) a guarded access is a both-mover.
   */
  readonly guard?: string;
}

/**
 * What a step did to a reference count (Ctx.touch's `count`): it read
 * `seen`, changed the count by `delta`, and would have done the very same
 * (same delta, same path, same result) for every value >= `floor`; `floor`
 * null when what it did depends on the value otherwise (the last reference,
 * a slow path under the interlock).
 */
export interface Count {
  readonly seen: number;
  readonly delta: number;
  readonly floor: number | null;
}

export type OpKind =
  | 'start' // the thread's first step: runs its code up to the first yield
  | 'lock' // acquire a lock (may be disabled while the lock is held)
  | 'unlock'
  | 'sleep' // go to sleep on a channel (drops an interlock atomically)
  | 'wake' // resume after a wakeup (disabled until woken)
  | 'wakeup' // wake sleepers of a channel
  | 'access' // a read or write of shared state made without its lock
  | 'io' // I/O submit or completion
  | 'alloc' // an allocation that may fail or sleep (pbuf, page, object)
  | 'choice' // a nondeterministic choice left open by the scenario
  | 'spawn' // creating another thread (an I/O completion context)
  | 'yield'; // a plain preemption point

export interface Op {
  readonly kind: OpKind;
  /** What the step does, in the kernel's words: "VM_OBJECT_WLOCK(obj1)". */
  readonly label: string;
  /** Seed line (vnode_pager.c.txt numbering) the step executes, when in the port. */
  readonly line?: number;
  /** Kernel routine (outside the seed) that performs the step: "vm_object_terminate". */
  readonly fn?: string;
  readonly fp: readonly Access[];
  /** A blocking step can run only when this holds; absent means always enabled. */
  readonly enabled?: () => boolean;
  /** For deadlock reports: what a disabled step waits for ("obj1 write lock held by T2"). */
  readonly waitsFor?: () => string;
  /**
   * On an exclusive acquire ('lock'): the code from here to the release of
   * this lock declares every access it makes to shared data (guarded by the
   * lock, Access.guard, or not), so the runtime may run the critical section
   * as one step when the scheduler asks for sections (runtime.ts).
   */
  readonly section?: boolean;
}

/** A kernel thread: yields Ops, returns its result. */
export type KThread<R = unknown> = Generator<Op, R, void>;

/** What model code may ask of the runtime while a step runs. */
export interface Ctx {
  /** The thread whose step is running (the kernel's curthread). */
  readonly tid: ThreadId;
  /** Add an access to the running step's footprint; `count` when it is a reference-count operation (see Count). */
  touch(res: string, write: boolean, atomic?: boolean, count?: Count): void;
  /** touch() of data protected by the lock `guard` ("lock:obj1"), which the thread must hold. */
  guarded(res: string, write: boolean, guard: string, count?: Count): void;
  /** Create a thread; its first step is a 'start' Op. Deterministic ids. */
  spawn(name: string, body: () => KThread): ThreadId;
  /** A nondeterministic choice in [0, n), taken by the scheduler. */
  choose(n: number, label: string): number;
  /** Name of a thread, for messages. */
  threadName(tid: ThreadId): string;
}

/**
 * A failed KASSERT, panic or lock assertion in model code. The runtime turns
 * it into a violation of the execution; it is never a crash of the harness.
 */
export class KernelAssertion extends Error {
  constructor(
    readonly kind: 'KASSERT' | 'panic' | 'lock',
    /** Function whose assertion failed ("vnode_pager_alloc"). */
    readonly fn: string,
    /** The assertion's message, as in the C source. */
    readonly msg: string,
    readonly line?: number,
  ) {
    super(`${kind} in ${fn}${line !== undefined ? ` (seed line ${line})` : ''}: ${msg}`);
    this.name = 'KernelAssertion';
  }
}

/** A bug in the model or harness itself, not in the code under check. */
export class HarnessBug extends Error {
  constructor(msg: string) {
    super(`pagercheck internal error (a bug of the harness, please report): ${msg}`);
    this.name = 'HarnessBug';
  }
}
