/*
 * Splitting an exhaustive search into independent subtrees. Schedule
 * prefixes (the thread run at each scheduling point and the value of each
 * ctx.choose, in order) are enumerated level by level, every option of every
 * decision, with no reduction, until there are at least `minTasks` of them or
 * every execution has ended. Each prefix is a task: DPOR below it
 * (DporStrategy's `prefix` option) explores its subtree and drops races that
 * would backtrack into the prefix, which the sibling prefixes cover.
 *
 * The task list depends only on the program and minTasks, never on how many
 * workers or machines run it: that is what makes the merged outcome the same
 * for any worker count and any sharding.
 */
import { runExecution, ScheduleInterrupt, type ExecutionView, type Program, type RunOptions, type Scheduler, type ThreadView } from './runtime.ts';
import { instrument } from './races.ts';
import { Nondeterminism } from './strategy.ts';

export interface SplitOptions {
  /** Split until at least this many prefixes (default 32); independent of the number of workers. */
  readonly minTasks?: number;
  /** Deepest prefix (decisions) tried; default 64. */
  readonly maxDepth?: number;
  readonly maxSteps?: number;
  readonly races?: boolean;
  readonly stepCheck?: RunOptions['stepCheck'];
}

export const DEFAULT_MIN_TASKS = 32;

/** The options at the first decision past a prefix. */
class ProbeStop extends ScheduleInterrupt {
  constructor(readonly options: readonly number[]) {
    super('split probe reached the end of its prefix');
  }
}

class Probe implements Scheduler {
  private pos = 0;
  constructor(private readonly prefix: readonly number[]) {}
  pickThread(ready: readonly ThreadView[], exec: ExecutionView): number {
    if (this.pos < this.prefix.length) {
      const tid = this.prefix[this.pos++]!;
      if (!ready.some((t) => t.tid === tid)) throw new Nondeterminism(exec.steps.length, `splitting: thread #${tid} is not ready where it was before`);
      return tid;
    }
    throw new ProbeStop(ready.map((t) => t.tid));
  }
  pickChoice(n: number, label: string, exec: ExecutionView): number {
    if (this.pos < this.prefix.length) {
      const v = this.prefix[this.pos++]!;
      if (v >= n) throw new Nondeterminism(exec.steps.length, `splitting: the choice "${label}" has ${n} options, value ${v} was taken before`);
      return v;
    }
    throw new ProbeStop(Array.from({ length: n }, (_, i) => i));
  }
}

/** Prefixes in lexicographic order of the search tree; `[[]]` when the program makes no decision. */
export function splitTasks<W>(program: Program<W>, opts: SplitOptions = {}): number[][] {
  const minTasks = opts.minTasks ?? DEFAULT_MIN_TASKS;
  if (!Number.isInteger(minTasks) || minTasks < 1) throw new RangeError(`minTasks ${String(minTasks)} is not accepted: give a whole number >= 1`);
  const maxDepth = opts.maxDepth ?? 64;
  const inst = instrument(program, opts.races ?? true, opts.maxSteps ?? 10_000, opts.stepCheck);
  /** Options after each prefix; null once the execution has ended within it. */
  const next = (prefix: readonly number[]): readonly number[] | null => {
    try {
      runExecution(inst.program, new Probe(prefix), inst.runOptions);
      return null;
    } catch (e) {
      if (e instanceof ProbeStop) return e.options;
      throw e;
    }
  };
  let level: { prefix: number[]; options: readonly number[] | null }[] = [{ prefix: [], options: next([]) }];
  for (let depth = 0; depth < maxDepth && level.length < minTasks; depth++) {
    if (level.every((x) => x.options === null)) break;
    const deeper: typeof level = [];
    for (const x of level) {
      if (x.options === null) deeper.push(x);
      else
        for (const o of x.options) {
          const prefix = [...x.prefix, o];
          deeper.push({ prefix, options: next(prefix) });
        }
    }
    level = deeper;
  }
  return level.map((x) => x.prefix);
}
