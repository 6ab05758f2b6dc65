/*
 * The coroutine runtime: runs one execution of a program, step by step, asking
 * a Scheduler for every choice. It never picks an order itself.
 *
 * One step = resume one thread from the Op it yielded until its next yield.
 * After each step the runtime records the step (thread, Op, executed
 * footprint), runs the caller's per-step checks and looks for deadlock.
 *
 * This loop is the checker's hot path (millions of steps per second), so it
 * allocates only the StepRecord of each step: thread views are the threads'
 * own state objects, updated in place, and the ready list is one array reused
 * from step to step.
 */
import { HarnessBug, KernelAssertion, type Access, type Count, type Ctx, type KThread, type Op, type ThreadId } from './op.ts';

export interface StepRecord {
  readonly tid: ThreadId;
  readonly kind: Op['kind'];
  readonly label: string;
  readonly line?: number;
  readonly fn?: string;
  /** Declared accesses plus those touched while the step ran. */
  readonly fp: readonly Access[];
  /** Values taken by choose() during the step, in order. */
  readonly choices?: readonly number[];
  /** Threads created (ctx.spawn) during the step; their first step happens after this one. */
  readonly spawned?: readonly ThreadId[];
  /**
   * Only in the record a scheduler is told of (Scheduler.onStep) when the
   * runtime ran several steps of one thread as one (a critical section,
   * Op.section): how many. ExecutionResult.steps keeps each of them.
   */
  readonly merged?: number;
  /** With `merged`: the lock whose whole section (acquire to release) the step ran; the step reads it (see Sections). */
  readonly section?: string;
}

export interface ThreadView {
  readonly tid: ThreadId;
  readonly name: string;
  /** The Op the thread will perform when next scheduled. */
  readonly op: Op;
  readonly enabled: boolean;
}

export type Violation =
  | { readonly kind: 'assertion'; readonly assertion: 'KASSERT' | 'panic' | 'lock'; readonly fn: string; readonly message: string; readonly line?: number; readonly step: number; readonly tid: ThreadId }
  | { readonly kind: 'invariant'; readonly property: string; readonly message: string; readonly step: number }
  | { readonly kind: 'deadlock'; readonly message: string; readonly blocked: readonly { tid: ThreadId; name: string; label: string; waitsFor: string }[]; readonly step: number }
  | { readonly kind: 'step-bound'; readonly message: string; readonly step: number }
  | { readonly kind: 'data-race'; readonly message: string; readonly res: string; readonly first: number; readonly second: number; readonly step: number }
  | { readonly kind: 'final'; readonly property: string; readonly message: string; readonly step: number }
  /** Lock-step conformance with a spec machine (spec/conformance.ts): an event the machine rejects, or a world its state does not abstract. */
  | { readonly kind: 'spec'; readonly machine: string; readonly instance: string; readonly state: string; readonly event: string | null; readonly message: string; readonly step: number };

export type ExecStatus =
  | { readonly status: 'ok' }
  | { readonly status: 'violation'; readonly violation: Violation }
  /** A thrown error that is not a KernelAssertion: a bug of the model or harness. */
  | { readonly status: 'error'; readonly error: string; readonly step: number };

/** What a scheduler may look at when asked to choose. Valid only during the call. */
export interface ExecutionView {
  readonly steps: readonly StepRecord[];
  /** Unfinished threads, by tid, with `enabled` as of the current scheduling point. */
  readonly threads: readonly ThreadView[];
  /** tid that ran the previous step, or -1 at the start. */
  readonly lastTid: ThreadId;
}

/** Every nondeterministic choice of an execution passes through here. */
export interface Scheduler {
  /**
   * Which thread runs next; `ready` is non-empty and holds only enabled
   * threads, by tid. The array is reused by the runtime: do not keep it.
   */
  pickThread(ready: readonly ThreadView[], exec: ExecutionView): ThreadId;
  /** A choice in [0, n) left open by the program (e.g. whether a fault fires). */
  pickChoice(n: number, label: string, exec: ExecutionView): number;
  /** Told after each step, including a step that ended in a failed assertion or a thrown error. */
  onStep?(rec: StepRecord, exec: ExecutionView): void;
  /** Critical sections as single steps (see Sections); absent: every Op is a scheduling point. */
  readonly sections?: Sections | null;
}

/*
 * Critical sections as single steps (Lipton's reduction). When a thread
 * acquires exclusively a lock L whose acquire Op says `section` (the code up
 * to the release declares every access it makes), the runtime goes on
 * running that thread without asking the scheduler while its next Op is an
 * `access` or `yield` Op, or the release of L, and every step run so far in
 * the section made only guarded accesses (Access.guard, of a lock the thread
 * holds) besides L's own: an acquire is a right mover, a guarded access a
 * both-mover (no other thread can reach the data while the guard is held),
 * a release a left mover, and the first step with an unguarded access is the
 * section's one non-mover (R* N L*), after which nothing more is merged (a
 * step's trailing code is known only once it has run). The scheduler is told
 * of one step (StepRecord.merged); ExecutionResult.steps and the program's
 * monitors, invariants and step checks still see every step, so traces,
 * replays and counterexamples do not depend on merging.
 *
 * A section merged through its release leaves L free, as it found it: its
 * footprint reads L instead of writing it, so two such sections on L are
 * dependent only when their contents are, while each conflicts with every
 * unmerged acquire or release of L (which writes it).
 *
 * The object holds what the model declared so far, across the executions of
 * one search: a resource accessed both guarded and unguarded is an error of
 * the declarations (a section could be merged over data read without its
 * lock), reported as a harness error naming both accesses.
 */
export class Sections {
  /* Resource -> how its first access was declared ("" for the guard when unguarded) and where. Called for every
     declared access of every step while sections are on: one lookup and one string comparison, no allocation. */
  private readonly seen = new Map<string, { readonly guard: string; readonly label: string }>();

  /** Null when consistent, else the one-line error. */
  note(res: string, guard: string | undefined, label: string): string | null {
    const g = guard ?? '';
    const prev = this.seen.get(res);
    if (prev === undefined) {
      this.seen.set(res, { guard: g, label });
      return null;
    }
    if (prev.guard === g) return null;
    const how = (x: string): string => (x === '' ? 'unguarded' : `guarded by ${x}`);
    return `resource ${res} is accessed ${how(prev.guard)} at "${prev.label}" and ${how(g)} at "${label}": declare it one way everywhere`;
  }
}

/** The lock an Op acquires ('lock'), releases ('unlock') or drops as a sleep's interlock: its "lock:NAME" resource. */
export function lockResOf(op: Op): string | null {
  for (const a of op.fp) if (a.res.startsWith('lock:')) return a.res;
  return null;
}

/* Accesses of a footprint that are neither guarded nor the section's lock. */
function unguarded(fp: readonly Access[], lock: string): boolean {
  for (const a of fp) if (a.guard === undefined && a.res !== lock) return true;
  return false;
}

/**
 * Thrown by a scheduler to stop the current execution at once (a search that
 * finds the rest redundant, a replay that diverged, a model that proved not
 * deterministic). runExecution never turns it into a violation or a thread
 * error: it propagates to whoever called runExecution.
 */
export class ScheduleInterrupt extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'ScheduleInterrupt';
  }
}

/**
 * A per-execution observer carried by the program (lock-step spec
 * conformance, witnesses, a user's own check): part of the program, so any
 * program built for the same purpose (minimization's reduced programs, a
 * replay, a worker's copy) has its own by construction. One object serves
 * every execution of its program, one after the other: begin resets it.
 * Called, in order: begin (before setup, inside its error handling), ready
 * (after setup), onStep (after each step, after RunOptions.stepCheck and
 * before the invariants), end (once every thread has finished, after the finals).
 */
export interface Monitor<W> {
  readonly name: string;
  begin?(ctx: Ctx): void;
  ready?(world: W): void;
  /** A violation stops the execution; null goes on. */
  onStep?(rec: StepRecord, index: number, world: W): Violation | null;
  end?(world: W): Violation | null;
}

/** A checked program: builds its world and spawns its threads through ctx. */
export interface Program<W> {
  readonly name: string;
  setup(ctx: Ctx): W;
  /** Per-step checks on the world (the simplest monitors): return a message when violated. */
  readonly invariants?: readonly { readonly name: string; check(w: W): string | null }[];
  /** Checks once every thread has finished. */
  readonly finals?: readonly { readonly name: string; check(w: W): string | null }[];
  /**
   * Classifies an error a thread threw that is not a KernelAssertion: an
   * assertion to report it as a failed assertion of the code under check (a
   * crash of the program's code, e.g. a NULL dereference), null to leave it a
   * harness error. Without it every such error is a harness error.
   */
  readonly classifyThrown?: (e: unknown, at: ThrownAt) => KernelAssertion | null;
  /** Monitors with state of their own (see Monitor). */
  readonly monitors?: readonly Monitor<W>[];
}

/** The program with more monitors, after its own. */
export function withMonitors<W>(program: Program<W>, ...monitors: readonly Monitor<W>[]): Program<W> {
  if (monitors.length === 0) return program;
  return { ...program, monitors: [...(program.monitors ?? []), ...monitors] };
}

/** Where a thread threw: the step's thread and the Op it was resumed from (its last scheduling point). */
export interface ThrownAt {
  readonly tid: ThreadId;
  readonly thread: string;
  readonly op: Op;
}

export interface RunOptions {
  /** Longest execution allowed before reporting a possible livelock. */
  readonly maxSteps?: number;
  /**
   * A per-step observer of the run rather than of the program (a test's probe);
   * checks that belong to the program, the race detector included (races.ts
   * withRaces), are Program.monitors.
   */
  readonly stepCheck?: (rec: StepRecord, index: number) => Violation | null;
}

class ThreadState implements ThreadView {
  op: Op = START;
  enabled = true;
  done = false;
  /** Locks held ("lock:NAME"), from the lock, unlock and sleep Ops the thread ran. */
  readonly held: string[] = [];
  constructor(
    readonly tid: ThreadId,
    readonly name: string,
    readonly gen: KThread,
  ) {}
}

const START: Op = { kind: 'start', label: 'start', fp: [] };

export interface ExecutionResult<W> {
  readonly result: ExecStatus;
  readonly steps: readonly StepRecord[];
  readonly world: W | undefined;
  /** Thread names by tid. */
  readonly threadNames: readonly string[];
  /** Values chosen (ctx.choose) while the program's setup ran, before the first step. */
  readonly setupChoices?: readonly number[];
}

/** Runs one execution of `program` under `sched`. */
export function runExecution<W>(program: Program<W>, sched: Scheduler, opts: RunOptions = {}): ExecutionResult<W> {
  return new Execution(program, sched, opts).run();
}

/*
 * One execution: the Ctx the model sees and the view the scheduler sees.
 * A class, so that its accessors live on the prototype: an object literal
 * with getter closures would give every execution new hidden classes, which
 * V8 allocates in old space (a full GC every few thousand executions).
 */
class Execution<W> implements Ctx, ExecutionView {
  readonly steps: StepRecord[] = [];
  private readonly threadList: ThreadState[] = [];
  private current: ThreadState | null = null;
  private stepFp: readonly Access[] = START.fp;
  private fpOwned = false;
  private stepChoices: number[] | null = null;
  private setupChoices: number[] | null = null;
  private spawned: ThreadId[] | null = null;
  private last: ThreadId = -1;
  /** Unfinished threads by tid; rebuilt only when a thread is created or ends. */
  private live: ThreadState[] = [];
  private liveDirty = false;
  private readonly ready: ThreadState[] = [];
  private world: W | undefined = undefined;
  private readonly sections: Sections | null;
  /* A declaration error found while the step ran (a guarded access without its lock, a guarded/unguarded mix). */
  private declError: string | null = null;
  private stepLabel = '';
  private readonly invariants: NonNullable<Program<W>["invariants"]> | null;
  private readonly monitors: readonly Monitor<W>[] | null;

  constructor(
    private readonly program: Program<W>,
    private readonly sched: Scheduler,
    private readonly opts: RunOptions,
  ) {
    this.sections = sched.sections ?? null;
    this.invariants = program.invariants && program.invariants.length > 0 ? program.invariants : null;
    this.monitors = program.monitors && program.monitors.length > 0 ? program.monitors : null;
  }

  /* ---- ExecutionView ---- */
  get threads(): readonly ThreadView[] {
    return this.liveThreads();
  }
  get lastTid(): ThreadId {
    return this.last;
  }

  private liveThreads(): ThreadState[] {
    if (this.liveDirty) {
      const live: ThreadState[] = [];
      for (const t of this.threadList) if (!t.done) live.push(t);
      this.live = live;
      this.liveDirty = false;
    }
    return this.live;
  }

  /* ---- Ctx ---- */
  get tid(): ThreadId {
    if (!this.current) throw new HarnessBug('curthread read outside a step');
    return this.current.tid;
  }
  touch(res: string, write: boolean, atomic?: boolean, count?: Count): void {
    if (!this.fpOwned) {
      this.stepFp = this.stepFp.slice();
      this.fpOwned = true;
    }
    (this.stepFp as Access[]).push(count !== undefined ? { res, write, atomic: true, count } : atomic ? { res, write, atomic } : { res, write });
    if (this.sections !== null) this.noteAccess(res, undefined);
  }
  guarded(res: string, write: boolean, guard: string, count?: Count): void {
    if (!this.fpOwned) {
      this.stepFp = this.stepFp.slice();
      this.fpOwned = true;
    }
    (this.stepFp as Access[]).push(count !== undefined ? { res, write, atomic: true, count, guard } : { res, write, guard });
    this.checkGuard(res, write, guard);
  }
  private checkGuard(res: string, write: boolean, guard: string): void {
    const t = this.current;
    if (t !== null && !t.held.includes(guard) && this.declError === null) {
      this.declError = `${t.name} ${write ? 'wrote' : 'read'} ${res}, declared guarded by ${guard}, without holding it (in "${this.stepLabel}"): the model's declaration is wrong`;
    }
    if (this.sections !== null) this.noteAccess(res, guard);
  }
  private noteAccess(res: string, guard: string | undefined): void {
    const e = this.sections!.note(res, guard, this.stepLabel);
    if (e !== null && this.declError === null) this.declError = e;
  }
  spawn(name: string, body: () => KThread): ThreadId {
    const tid = this.threadList.length;
    this.threadList.push(new ThreadState(tid, name, body()));
    this.liveDirty = true;
    if (this.current) (this.spawned ??= []).push(tid);
    return tid;
  }
  choose(n: number, label: string): number {
    if (n <= 1) return 0;
    const c = this.sched.pickChoice(n, label, this);
    if (!Number.isInteger(c) || c < 0 || c >= n) throw new HarnessBug(`scheduler chose ${c} for "${label}" with ${n} options`);
    if (this.current) (this.stepChoices ??= []).push(c);
    else (this.setupChoices ??= []).push(c);
    return c;
  }
  threadName(tid: ThreadId): string {
    return this.threadList[tid]?.name ?? `#${tid}`;
  }


  /* Runs one step of t from `op` to its next yield and records it; returns what the thread threw, if anything. */
  private resume(t: ThreadState, op: Op): unknown {
    this.current = t;
    this.stepFp = op.fp;
    this.fpOwned = false;
    this.stepChoices = null;
    this.spawned = null;
    this.stepLabel = op.label;
    const kind = op.kind;
    if (kind === 'lock' || kind === 'unlock' || kind === 'sleep') {
      const l = lockResOf(op);
      if (l !== null) {
        if (kind === 'lock') t.held.push(l);
        else {
          const i = t.held.lastIndexOf(l);
          if (i >= 0) t.held.splice(i, 1);
        }
      }
    }
    for (const a of op.fp) {
      if (a.guard !== undefined) this.checkGuard(a.res, a.write, a.guard);
      else if (this.sections !== null) this.noteAccess(a.res, undefined);
    }
    let thrown: unknown = undefined;
    try {
      const r = t.gen.next();
      if (r.done === true) {
        t.done = true;
        this.liveDirty = true;
      } else t.op = r.value;
    } catch (e) {
      if (e instanceof ScheduleInterrupt) throw e;
      thrown = e === undefined ? new Error('undefined thrown') : e;
      t.done = true;
      this.liveDirty = true;
    }
    this.current = null;
    this.steps.push(makeRecord(t.tid, op, this.stepFp, this.stepChoices, this.spawned));
    return thrown;
  }

  /* What ends the execution after the step just recorded (run by t from op): its error or assertion, a declaration error, the step checks, monitors and invariants; null to go on. */
  private checks(t: ThreadState, op: Op, thrown: unknown): ExecutionResult<W> | null {
    const { steps, program } = this;
    const index = steps.length - 1;
    const rec = steps[index]!;
    const world = this.world as W;
    if (thrown !== undefined) {
      const a = thrown instanceof KernelAssertion ? thrown : (program.classifyThrown?.(thrown, { tid: t.tid, thread: t.name, op }) ?? null);
      if (a !== null) {
        return this.finish({
          status: 'violation',
          violation: { kind: 'assertion', assertion: a.kind, fn: a.fn, message: a.msg, ...(a.line !== undefined ? { line: a.line } : {}), step: index, tid: t.tid },
        });
      }
      return this.finish({ status: 'error', error: `thread ${t.name} threw at step ${index} (${op.label}): ${errText(thrown)}`, step: index });
    }
    if (this.declError !== null) return this.finish({ status: 'error', error: `at step ${index}: ${this.declError}`, step: index });
    const stepCheck = this.opts.stepCheck;
    if (stepCheck !== undefined) {
      const v = stepCheck(rec, index);
      if (v) return this.finish({ status: 'violation', violation: v });
    }
    const monitors = this.monitors;
    if (monitors !== null) {
      for (const m of monitors) {
        if (m.onStep === undefined) continue;
        const v = m.onStep(rec, index, world);
        if (v) return this.finish({ status: 'violation', violation: v });
      }
    }
    const invariants = this.invariants;
    if (invariants !== null) {
      for (const inv of invariants) {
        let msg: string | null;
        try {
          msg = inv.check(world);
        } catch (e) {
          return this.finish({ status: 'error', error: `invariant ${inv.name} threw: ${errText(e)}`, step: index });
        }
        if (msg !== null) return this.finish({ status: 'violation', violation: { kind: 'invariant', property: inv.name, message: msg, step: index } });
      }
    }
    return null;
  }

  private finish(result: ExecStatus): ExecutionResult<W> {
    const threadNames: string[] = [];
    for (const t of this.threadList) threadNames.push(t.name);
    const { steps, world, setupChoices } = this;
    return setupChoices ? { result, steps, world, threadNames, setupChoices } : { result, steps, world, threadNames };
  }

  run(): ExecutionResult<W> {
    const { program, sched, steps, ready } = this;
    const maxSteps = this.opts.maxSteps ?? 10_000;
    const monitors = this.monitors;
    try {
      if (monitors !== null) for (const m of monitors) m.begin?.(this);
      this.world = program.setup(this);
      if (monitors !== null) for (const m of monitors) m.ready?.(this.world);
    } catch (e) {
      if (e instanceof ScheduleInterrupt) throw e;
      return this.finish({ status: 'error', error: `setup of ${program.name} failed: ${errText(e)}`, step: 0 });
    }
    for (;;) {
      const lv = this.liveThreads();
      const nlive = lv.length;
      if (nlive === 0) break;
      let nready = 0;
      for (let i = 0; i < nlive; i++) {
        const t = lv[i]!;
        const en = t.op.enabled;
        const e = en === undefined ? true : en();
        t.enabled = e;
        if (e) ready[nready++] = t;
      }
      if (ready.length !== nready) ready.length = nready; // shrinking an array is slow: only when the count changed
      if (nready === 0) {
        const blocked = lv.map((t) => ({ tid: t.tid, name: t.name, label: t.op.label, waitsFor: t.op.waitsFor ? t.op.waitsFor() : t.op.label }));
        return this.finish({
          status: 'violation',
          violation: {
            kind: 'deadlock',
            message: `no thread can run: ${blocked.map((b) => `${b.name} blocked in ${b.label} waiting for ${b.waitsFor}`).join('; ')}`,
            blocked,
            step: steps.length,
          },
        });
      }
      if (steps.length >= maxSteps) {
        return this.finish({ status: 'violation', violation: { kind: 'step-bound', message: `execution exceeded ${maxSteps} steps (possible livelock)`, step: steps.length } });
      }
      const tid = sched.pickThread(ready, this);
      const t = this.threadList[tid];
      if (t === undefined || t.done || !t.enabled) throw new HarnessBug(`scheduler picked thread ${tid}, which is not ready`);
      const first = steps.length;
      let op = t.op;
      let thrown = this.resume(t, op);
      let early: ExecutionResult<W> | null = null;
      let whole: string | null = null;
      if (this.sections !== null && op.kind === 'lock' && op.section === true) {
        const L = lockResOf(op);
        // Merge while every step so far made only guarded accesses (see Sections).
        while (L !== null && thrown === undefined && this.declError === null && !t.done && !unguarded(steps[steps.length - 1]!.fp, L)) {
          const next = t.op;
          const release = next.kind === 'unlock' && lockResOf(next) === L;
          if (!release && next.kind !== 'access' && next.kind !== 'yield') break;
          if (next.enabled !== undefined && !next.enabled()) break;
          early = this.checks(t, op, undefined);
          if (early !== null) break;
          op = next;
          thrown = this.resume(t, op);
          if (release) {
            whole = L;
            break;
          }
        }
      }
      this.last = tid;
      if (sched.onStep !== undefined) sched.onStep(steps.length - first === 1 ? steps[first]! : mergedRecord(steps, first, whole), this);
      if (early !== null) return early;
      const end = this.checks(t, op, thrown);
      if (end !== null) return end;
    }
    const world = this.world as W;
    if (program.finals) {
      for (const fin of program.finals) {
        let msg: string | null;
        try {
          msg = fin.check(world);
        } catch (e) {
          return this.finish({ status: 'error', error: `final check ${fin.name} threw: ${errText(e)}`, step: steps.length });
        }
        if (msg !== null) return this.finish({ status: 'violation', violation: { kind: 'final', property: fin.name, message: msg, step: steps.length } });
      }
    }
    if (monitors !== null) {
      for (const m of monitors) {
        const v = m.end?.(world) ?? null;
        if (v) return this.finish({ status: 'violation', violation: v });
      }
    }
    return this.finish({ status: 'ok' });
  }
}

/*
 * The one step a scheduler is told of for steps[first..] run as one: their
 * accesses, choices and spawns in order; a whole section on `lock` reads the
 * lock instead of acquiring and releasing it (Sections).
 */
function mergedRecord(steps: readonly StepRecord[], first: number, lock: string | null): StepRecord {
  const head = steps[first]!;
  const last = steps[steps.length - 1]!;
  const fp: Access[] = [];
  const choices: number[] = [];
  const spawned: ThreadId[] = [];
  for (let i = first; i < steps.length; i++) {
    const r = steps[i]!;
    for (const a of r.fp) if (lock === null || a.res !== lock) fp.push(a);
    if (r.choices) choices.push(...r.choices);
    if (r.spawned) spawned.push(...r.spawned);
  }
  if (lock !== null) fp.push({ res: lock, write: false });
  const rec: { -readonly [K in keyof StepRecord]: StepRecord[K] } = { tid: head.tid, kind: head.kind, label: `${head.label} .. ${last.label}` } as StepRecord;
  if (head.line !== undefined) rec.line = head.line;
  if (head.fn !== undefined) rec.fn = head.fn;
  rec.fp = fp;
  if (choices.length > 0) rec.choices = choices;
  if (spawned.length > 0) rec.spawned = spawned;
  rec.merged = steps.length - first;
  if (lock !== null) rec.section = lock;
  return rec;
}

/* Records keep the shape of the original: optional fields only when present. */
function makeRecord(tid: ThreadId, op: Op, fp: readonly Access[], choices: number[] | null, spawned: ThreadId[] | null): StepRecord {
  if (op.line === undefined && op.fn === undefined && choices === null && spawned === null) return { tid, kind: op.kind, label: op.label, fp };
  const rec: { -readonly [K in keyof StepRecord]: StepRecord[K] } = { tid, kind: op.kind, label: op.label } as StepRecord;
  if (op.line !== undefined) rec.line = op.line;
  if (op.fn !== undefined) rec.fn = op.fn;
  rec.fp = fp;
  if (choices !== null) rec.choices = choices;
  if (spawned !== null) rec.spawned = spawned;
  return rec;
}

function errText(e: unknown): string {
  if (e instanceof Error) return e.stack ?? e.message;
  return String(e);
}

/** The first-runnable scheduler: keeps running the current thread while it can, else the lowest tid. No preemption; choices take 0. */
export const firstRunnable: Scheduler = {
  pickThread(ready, exec) {
    const last = exec.lastTid;
    for (let i = 0; i < ready.length; i++) if (ready[i]!.tid === last) return last;
    return ready[0]!.tid;
  },
  pickChoice() {
    return 0;
  },
};
