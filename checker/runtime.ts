/*
 * The coroutine runtime: runs one execution of a program, step by step, asking
 * a Scheduler for every choice. It never picks an order itself.
 *
 * One step = resume one thread from the Op it yielded until its next yield.
 * After each step the runtime records the step (thread, Op, executed
 * footprint), runs the caller's per-step checks and looks for deadlock.
 */
import { HarnessBug, KernelAssertion, type Access, type Ctx, type KThread, type Op, type ThreadId } from './op.ts';

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
  | { readonly kind: 'final'; readonly property: string; readonly message: string; readonly step: number };

export type ExecStatus =
  | { readonly status: 'ok' }
  | { readonly status: 'violation'; readonly violation: Violation }
  /** A thrown error that is not a KernelAssertion: a bug of the model or harness. */
  | { readonly status: 'error'; readonly error: string; readonly step: number };

/** What a scheduler may look at when asked to choose. */
export interface ExecutionView {
  readonly steps: readonly StepRecord[];
  readonly threads: readonly ThreadView[];
  /** tid that ran the previous step, or -1 at the start. */
  readonly lastTid: ThreadId;
}

/** Every nondeterministic choice of an execution passes through here. */
export interface Scheduler {
  /** Which thread runs next; `ready` is non-empty and holds only enabled threads, by tid. */
  pickThread(ready: readonly ThreadView[], exec: ExecutionView): ThreadId;
  /** A choice in [0, n) left open by the program (e.g. whether a fault fires). */
  pickChoice(n: number, label: string, exec: ExecutionView): number;
  /** Told after each step. */
  onStep?(rec: StepRecord, exec: ExecutionView): void;
}

/** A checked program: builds its world and spawns its threads through ctx. */
export interface Program<W> {
  readonly name: string;
  setup(ctx: Ctx): W;
  /** Per-step checks on the world: return a message when violated. */
  readonly invariants?: readonly { readonly name: string; check(w: W): string | null }[];
  /** Checks once every thread has finished. */
  readonly finals?: readonly { readonly name: string; check(w: W): string | null }[];
}

export interface RunOptions {
  /** Longest execution allowed before reporting a possible livelock. */
  readonly maxSteps?: number;
  /** Extra per-step observer (e.g. lock-step spec conformance); returns a violation message or null. */
  readonly stepCheck?: (rec: StepRecord, index: number) => Violation | null;
}

interface ThreadState {
  readonly tid: ThreadId;
  readonly name: string;
  readonly gen: KThread;
  op: Op;
  done: boolean;
}

const START: Op = { kind: 'start', label: 'start', fp: [] };

export interface ExecutionResult<W> {
  readonly result: ExecStatus;
  readonly steps: readonly StepRecord[];
  readonly world: W | undefined;
  /** Thread names by tid. */
  readonly threadNames: readonly string[];
}

/** Runs one execution of `program` under `sched`. */
export function runExecution<W>(program: Program<W>, sched: Scheduler, opts: RunOptions = {}): ExecutionResult<W> {
  const maxSteps = opts.maxSteps ?? 10_000;
  const threads: ThreadState[] = [];
  const steps: StepRecord[] = [];
  let current: ThreadState | null = null;
  let stepFp: Access[] = [];
  let stepChoices: number[] | null = null;
  let lastTid: ThreadId = -1;

  const views = (): ThreadView[] =>
    threads.filter((t) => !t.done).map((t) => ({ tid: t.tid, name: t.name, op: t.op, enabled: t.op.enabled ? t.op.enabled() : true }));
  const exec: ExecutionView = {
    steps,
    get threads() {
      return views();
    },
    get lastTid() {
      return lastTid;
    },
  };

  const ctx: Ctx = {
    get tid() {
      if (!current) throw new HarnessBug('curthread read outside a step');
      return current.tid;
    },
    touch(res, write, atomic) {
      stepFp.push(atomic ? { res, write, atomic } : { res, write });
    },
    spawn(name, body) {
      const tid = threads.length;
      threads.push({ tid, name, gen: body(), op: START, done: false });
      return tid;
    },
    choose(n, label) {
      if (n <= 1) return 0;
      const c = sched.pickChoice(n, label, exec);
      if (!Number.isInteger(c) || c < 0 || c >= n) throw new HarnessBug(`scheduler chose ${c} for "${label}" with ${n} options`);
      (stepChoices ??= []).push(c);
      return c;
    },
    threadName(tid) {
      return threads[tid]?.name ?? `#${tid}`;
    },
  };

  let world: W | undefined;
  const finish = (result: ExecStatus): ExecutionResult<W> => ({ result, steps, world, threadNames: threads.map((t) => t.name) });

  try {
    world = program.setup(ctx);
  } catch (e) {
    return finish({ status: 'error', error: `setup of ${program.name} failed: ${errText(e)}`, step: 0 });
  }

  for (;;) {
    const live = views();
    if (live.length === 0) break;
    const ready = live.filter((t) => t.enabled);
    if (ready.length === 0) {
      const blocked = live.map((t) => ({ tid: t.tid, name: t.name, label: t.op.label, waitsFor: t.op.waitsFor ? t.op.waitsFor() : t.op.label }));
      return finish({
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
      return finish({ status: 'violation', violation: { kind: 'step-bound', message: `execution exceeded ${maxSteps} steps (possible livelock)`, step: steps.length } });
    }
    const tid = sched.pickThread(ready, exec);
    const t = threads[tid];
    if (!t || t.done || !ready.some((r) => r.tid === tid)) throw new HarnessBug(`scheduler picked thread ${tid}, which is not ready`);
    const op = t.op;
    current = t;
    stepFp = op.fp.slice();
    stepChoices = null;
    let thrown: unknown = undefined;
    try {
      const r = t.gen.next();
      if (r.done) t.done = true;
      else t.op = r.value;
    } catch (e) {
      thrown = e;
      t.done = true;
    }
    current = null;
    const rec: StepRecord = {
      tid,
      kind: op.kind,
      label: op.label,
      ...(op.line !== undefined ? { line: op.line } : {}),
      ...(op.fn !== undefined ? { fn: op.fn } : {}),
      fp: stepFp,
      ...(stepChoices ? { choices: stepChoices } : {}),
    };
    steps.push(rec);
    lastTid = tid;
    if (thrown !== undefined) {
      if (thrown instanceof KernelAssertion) {
        return finish({
          status: 'violation',
          violation: { kind: 'assertion', assertion: thrown.kind, fn: thrown.fn, message: thrown.msg, ...(thrown.line !== undefined ? { line: thrown.line } : {}), step: steps.length - 1, tid },
        });
      }
      return finish({ status: 'error', error: `thread ${t.name} threw at step ${steps.length - 1} (${op.label}): ${errText(thrown)}`, step: steps.length - 1 });
    }
    sched.onStep?.(rec, exec);
    if (opts.stepCheck) {
      const v = opts.stepCheck(rec, steps.length - 1);
      if (v) return finish({ status: 'violation', violation: v });
    }
    if (program.invariants) {
      for (const inv of program.invariants) {
        let msg: string | null;
        try {
          msg = inv.check(world as W);
        } catch (e) {
          return finish({ status: 'error', error: `invariant ${inv.name} threw: ${errText(e)}`, step: steps.length - 1 });
        }
        if (msg !== null) return finish({ status: 'violation', violation: { kind: 'invariant', property: inv.name, message: msg, step: steps.length - 1 } });
      }
    }
  }
  if (program.finals) {
    for (const fin of program.finals) {
      let msg: string | null;
      try {
        msg = fin.check(world as W);
      } catch (e) {
        return finish({ status: 'error', error: `final check ${fin.name} threw: ${errText(e)}`, step: steps.length });
      }
      if (msg !== null) return finish({ status: 'violation', violation: { kind: 'final', property: fin.name, message: msg, step: steps.length } });
    }
  }
  return finish({ status: 'ok' });
}

function errText(e: unknown): string {
  if (e instanceof Error) return e.stack ?? e.message;
  return String(e);
}

/** The first-runnable scheduler: keeps running the current thread while it can, else the lowest tid. No preemption; choices take 0. */
export const firstRunnable: Scheduler = {
  pickThread(ready, exec) {
    const cur = ready.find((r) => r.tid === exec.lastTid);
    return (cur ?? ready[0]!).tid;
  },
  pickChoice() {
    return 0;
  },
};
