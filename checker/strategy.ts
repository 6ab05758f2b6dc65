/*
 * A search strategy: a Scheduler (runtime.ts) that also decides, from one
 * execution to the next, what to explore. explore() drives it:
 *
 *   while (strategy.beginExecution()) {
 *     result = runExecution(program, strategy)   // pickThread / pickChoice / onStep
 *     strategy.endExecution(result)              // or null when the strategy cut it
 *   }
 *
 * Every strategy is deterministic given the program and its seed. One file
 * per strategy under strategies/.
 */
import { ScheduleInterrupt, type ExecutionResult, type ExecutionView, type Scheduler } from './runtime.ts';

export interface StrategyInfo {
  /** "dpor", "dfs", "bounded", "pct", "random", "replay". */
  readonly strategy: string;
  /** Bounds the strategy ran under (maxPreemptions, depth...). */
  readonly bounds: Readonly<Record<string, number>>;
  readonly seed?: number;
}

export interface Strategy extends Scheduler {
  readonly name: string;
  /** Explores every inequivalent execution within its bounds when run to the end. */
  readonly exhaustive: boolean;
  /** Prepares the next execution; false when nothing is left to explore. */
  beginExecution(): boolean;
  /** How the execution ended; null when the strategy cut it (ExecutionCut). */
  endExecution(result: ExecutionResult<unknown> | null): void;
  /** The last execution repeats one explored before (an iterative bound re-running shorter schedules); not counted. */
  readonly lastRepeated?: boolean;
  /** Preemptions of the last execution, when the strategy counts them. */
  readonly lastPreemptions?: number;
  /** An exhaustive strategy has explored its whole space within its bounds. */
  readonly complete: boolean;
  /** Estimated fraction of the space explored so far, in [0, 1], when the strategy can tell. */
  fractionDone?(): number;
  /** A lower bound on the executions still to begin (each untried branch begins one), when the strategy can tell; unlike fractionDone never wrong. */
  remainingAtLeast?(): number;
  /** Strategy-specific counters for the statistics (e.g. sleepSetBlocked). */
  counters(): Readonly<Record<string, number>>;
  info(): StrategyInfo;
}

/** Thrown by a strategy to abandon the current execution as redundant. */
export class ExecutionCut extends ScheduleInterrupt {
  constructor(
    readonly reason: 'sleep-set' | 'bound',
    /** Steps the execution had run when it was cut (a strategy may reuse one instance and set it). */
    public steps: number,
  ) {
    super(`execution cut (${reason}) after ${steps} steps`);
    this.name = 'ExecutionCut';
  }
}

const DETERMINISM_HINT =
  'Reached unexpected exploration state. Is the model fully deterministic? (no Math.random, clocks, or iteration over unordered collections; every choice through ctx.choose)';

/** Replaying a recorded prefix gave a different state: the model is not deterministic. */
export class Nondeterminism extends ScheduleInterrupt {
  constructor(
    readonly step: number,
    readonly detail: string,
  ) {
    super(`${DETERMINISM_HINT} At step ${step}: ${detail}`);
    this.name = 'Nondeterminism';
  }
}

/** A recorded schedule no longer fits the program (replay of a counterexample). */
export class ReplayDivergence extends ScheduleInterrupt {
  constructor(
    readonly step: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`replay diverged at step ${step}: expected ${expected}, but ${found}`);
    this.name = 'ReplayDivergence';
  }
}

/** What a thread is doing at a scheduling point, for messages. */
export function describeThread(exec: ExecutionView, tid: number): string {
  const t = exec.threads.find((x) => x.tid === tid);
  if (!t) return `thread #${tid} has finished or does not exist`;
  return `${t.name} is ${t.enabled ? 'ready' : 'blocked'} at "${t.op.label}"`;
}
