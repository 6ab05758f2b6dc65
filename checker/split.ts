/*
 * Splitting an exhaustive search into independent subtrees. Schedule
 * prefixes (the thread run at each scheduling point and the value of each
 * ctx.choose, in order) are enumerated one step at a time (a thread decision
 * with the choices its step makes), until there are at least `minTasks` of
 * them or every execution has ended. Each prefix is a task: DPOR below it
 * (DporStrategy's `prefix` option) explores its subtree and drops races that
 * would backtrack into the prefix, which the sibling prefixes cover.
 *
 * Above the split, every enabled thread is explored at every state (a full
 * backtrack set) but with sleep sets: a thread explored at a state sleeps in
 * its later siblings' subtrees until a step dependent on its step
 * (dependency.ts, on executed footprints, union over the step's choice
 * values) runs; a prefix whose enabled threads are all asleep is dropped, and
 * each task starts DPOR with the sleep set of its last state
 * (DporStrategy's `initialSleep`). This is source-DPOR with some backtrack
 * sets enlarged to every enabled thread, which keeps its soundness; it only
 * removes prefixes that differ from an earlier one by the order of
 * independent steps.
 *
 * The task list depends only on the program and minTasks, never on how many
 * workers or machines run it: that is what makes the merged outcome the same
 * for any worker count and any sharding.
 */
import { runExecution, ScheduleInterrupt, Sections, type ExecutionView, type Program, type RunOptions, type Scheduler, type StepRecord, type ThreadView } from './runtime.ts';
import { dependent, modeOf, READ } from './dependency.ts';
import type { Access } from './op.ts';
import { withRaces } from './races.ts';
import { Nondeterminism } from './strategy.ts';

export interface SplitOptions {
  /** Split until at least this many prefixes (default 32); independent of the number of workers. */
  readonly minTasks?: number;
  /** Deepest prefix (steps) tried; default 64. */
  readonly maxDepth?: number;
  readonly maxSteps?: number;
  readonly races?: boolean;
  readonly stepCheck?: RunOptions['stepCheck'];
}

export const DEFAULT_MIN_TASKS = 32;

/** A thread asleep at the split point, with the executed footprint of its step there. */
export interface SplitSleeper {
  readonly tid: number;
  readonly fp: readonly Access[];
}

/** One subtree: the decisions that lead to it, and the threads asleep where DPOR takes over. */
export interface SplitTask {
  readonly prefix: readonly number[];
  readonly sleep: readonly SplitSleeper[];
}

interface NextDecision {
  readonly kind: 'thread' | 'choice';
  readonly options: readonly number[];
}

/** The first decision past a prefix. */
class ProbeStop extends ScheduleInterrupt {
  constructor(readonly next: NextDecision) {
    super('split probe reached the end of its prefix');
  }
}

class Probe implements Scheduler {
  /* The tasks' DporStrategy merges critical sections (its default): the prefixes must name its scheduling points. */
  readonly sections = new Sections();
  private pos = 0;
  /** Footprint of the last step run (or running when the probe stopped). */
  lastFp: readonly Access[] = [];
  constructor(private readonly prefix: readonly number[]) {}
  pickThread(ready: readonly ThreadView[], exec: ExecutionView): number {
    if (this.pos < this.prefix.length) {
      const tid = this.prefix[this.pos++]!;
      if (!ready.some((t) => t.tid === tid)) throw new Nondeterminism(exec.steps.length, `splitting: thread #${tid} is not ready where it was before`);
      return tid;
    }
    throw new ProbeStop({ kind: 'thread', options: ready.map((t) => t.tid) });
  }
  pickChoice(n: number, label: string, exec: ExecutionView): number {
    if (this.pos < this.prefix.length) {
      const v = this.prefix[this.pos++]!;
      if (v >= n) throw new Nondeterminism(exec.steps.length, `splitting: the choice "${label}" has ${n} options, value ${v} was taken before`);
      return v;
    }
    throw new ProbeStop({ kind: 'choice', options: Array.from({ length: n }, (_, i) => i) });
  }
  onStep(rec: StepRecord): void {
    this.lastFp = rec.fp;
  }
}

interface Entry {
  readonly prefix: number[];
  readonly sleep: readonly SplitSleeper[];
  /** Null once the execution has ended within the prefix. */
  readonly next: NextDecision | null;
}

/** What splitTasks found, for statistics. */
export interface SplitPlan {
  readonly tasks: SplitTask[];
  /** Prefixes dropped because every enabled thread was asleep (covered by an earlier sibling). */
  readonly sleepBlocked: number;
}

/** Prefixes in lexicographic order of the search tree; one empty prefix when the program makes no decision. */
export function splitTasks<W>(program: Program<W>, opts: SplitOptions = {}): SplitTask[] {
  return splitPlan(program, opts).tasks;
}

export function splitPlan<W>(program: Program<W>, opts: SplitOptions = {}): SplitPlan {
  const minTasks = opts.minTasks ?? DEFAULT_MIN_TASKS;
  if (!Number.isInteger(minTasks) || minTasks < 1) throw new RangeError(`minTasks ${String(minTasks)} is not accepted: give a whole number >= 1`);
  const maxDepth = opts.maxDepth ?? 64;
  const inst = { program: withRaces(program, opts.races ?? true), runOptions: { maxSteps: opts.maxSteps ?? 10_000, stepCheck: opts.stepCheck } };
  const probe = (prefix: readonly number[]): { next: NextDecision | null; fp: readonly Access[] } => {
    const p = new Probe(prefix);
    try {
      runExecution(inst.program, p, inst.runOptions);
      return { next: null, fp: p.lastFp };
    } catch (e) {
      if (e instanceof ProbeStop) return { next: e.next, fp: p.lastFp };
      throw e;
    }
  };
  /* Every way the step begun by `prefix`'s last decision can complete (its choice values), with its footprint. */
  const completeStep = (prefix: number[]): { prefix: number[]; next: NextDecision | null; fp: readonly Access[] }[] => {
    const r = probe(prefix);
    if (r.next === null || r.next.kind === 'thread') return [{ prefix, next: r.next, fp: r.fp }];
    return r.next.options.flatMap((v) => completeStep([...prefix, v]));
  };
  let sleepBlocked = 0;
  const expand = (x: Entry): Entry[] => {
    if (x.next === null) return [x];
    if (x.next.kind === 'choice') {
      // A choice outside any step (program set-up): branch, no thread has run.
      return x.next.options.flatMap((v) => completeStep([...x.prefix, v]).map((c) => ({ prefix: c.prefix, sleep: x.sleep, next: c.next })));
    }
    const out: Entry[] = [];
    const done: SplitSleeper[] = [];
    for (const t of x.next.options) {
      if (x.sleep.some((e) => e.tid === t)) continue;
      const branches = completeStep([...x.prefix, t]);
      for (const b of branches) {
        const sleep = [...x.sleep, ...done].filter((e) => !dependent(e.fp, b.fp));
        if (b.next !== null && b.next.kind === 'thread' && b.next.options.every((u) => sleep.some((e) => e.tid === u))) {
          sleepBlocked++;
          continue;
        }
        out.push({ prefix: b.prefix, sleep, next: b.next });
      }
      done.push({ tid: t, fp: branches.flatMap((b) => b.fp) });
    }
    return out;
  };
  const first = probe([]);
  let level: Entry[] = [{ prefix: [], sleep: [], next: first.next }];
  for (let depth = 0; depth < maxDepth && level.length < minTasks; depth++) {
    if (level.every((x) => x.next === null)) break;
    level = level.flatMap(expand);
  }
  return { tasks: level.map((x) => ({ prefix: x.prefix, sleep: x.sleep.map((e) => ({ tid: e.tid, fp: compact(e.fp) })) })), sleepBlocked };
}

/* One access per resource, a write subsuming a read, in first-seen order: task lists are written to files. Commuting kinds (dependency.ts) are kept. */
function compact(fp: readonly Access[]): Access[] {
  const out: Access[] = [];
  for (const a of fp) {
    const k = out.findIndex((b) => b.res === a.res);
    if (k < 0) out.push(a.commute !== undefined ? { res: a.res, write: a.write, commute: a.commute } : { res: a.res, write: a.write });
    else out[k] = mergeAccess(out[k]!, a);
  }
  return out;
}

/* One access that conflicts with whatever either of two accesses of one resource conflicts with, under both relations. */
function mergeAccess(x: Access, y: Access): Access {
  if (x.write === y.write && x.commute === y.commute) return x;
  const mx = modeOf(x);
  const my = modeOf(y);
  // A plain read and a shared lock operation: a read when commuting, a write when plain.
  if (mx === READ && my === READ) return { res: x.res, write: true, commute: 'shared' };
  return { res: x.res, write: true };
}
