/*
 * Preemption-bounded exhaustive search with an iteratively raised bound
 * (Musuvathi and Qadeer, "Iterative Context Bounding for Systematic Testing
 * of Multithreaded Programs", PLDI 2007: CHESS). A preemption is a switch
 * away from the thread that ran the previous step while it could still run;
 * switching because it blocked or finished is free. The search runs a full
 * depth-first pass with bound 0, then 1, ... up to maxPreemptions, so the
 * first violation found has the fewest preemptions. A pass with bound b
 * re-runs the executions of fewer preemptions (stateless; CHESS keeps a work
 * queue instead): those are reported as repeats, not counted as executions.
 * When a pass never had to refuse a preemption, the whole space has been
 * explored and the search stops early. Every choice value is explored.
 */
import type { ExecutionResult, ExecutionView, ThreadView } from '../runtime.ts';
import type { Strategy, StrategyInfo } from '../strategy.ts';
import { DecisionPath, type PathNode } from './path.ts';

/** Thread nodes list the non-preempting thread first. */
interface Node extends PathNode {
  /** The thread that ran the previous step, if it is ready here (switching away is a preemption), else -1. */
  readonly current: number;
}

export interface BoundedOptions {
  /** Largest bound tried. */
  readonly maxPreemptions: number;
  /** First bound tried (default 0). */
  readonly startBound?: number;
}

export class BoundedStrategy implements Strategy {
  readonly name = 'bounded';
  readonly exhaustive = true;
  complete = false;
  /** The current execution has no more preemptions than an earlier pass allowed. */
  lastRepeated = false;
  private bound: number;
  private readonly startBound: number;
  private readonly maxBound: number;
  private readonly path = new DecisionPath<Node>();
  private started = false;
  private exhausted = false;
  /** This pass refused a preemption somewhere. */
  private limited = false;
  private used = 0;
  private repeats = 0;
  /** Preemptions of the last execution. */
  lastPreemptions = 0;

  constructor(opts: BoundedOptions) {
    if (!Number.isInteger(opts.maxPreemptions) || opts.maxPreemptions < 0) throw new RangeError(`maxPreemptions ${opts.maxPreemptions} is not accepted: give an integer >= 0`);
    this.maxBound = opts.maxPreemptions;
    this.bound = this.startBound = opts.startBound ?? 0;
    if (!Number.isInteger(this.bound) || this.bound < 0 || this.bound > this.maxBound) throw new RangeError(`startBound ${this.bound} is not accepted: give an integer in [0, maxPreemptions]`);
  }

  /** The bound of the pass under way. */
  get currentBound(): number {
    return this.bound;
  }

  beginExecution(): boolean {
    if (this.exhausted) return false;
    if (this.started && !this.path.backtrack()) this.passOver();
    this.started = true;
    if (this.exhausted) return false;
    this.path.rewind();
    this.used = 0;
    return true;
  }

  /** A pass is over: stop, or raise the bound when this pass refused a preemption. */
  private passOver(): void {
    if (!this.limited || this.bound >= this.maxBound) {
      this.exhausted = true;
      this.complete = true;
      return;
    }
    this.bound++;
    this.limited = false;
  }

  pickThread(ready: readonly ThreadView[], exec: ExecutionView): number {
    const replayed = this.path.replayThread(ready, exec);
    if (replayed !== null) {
      if (replayed.node.current >= 0 && replayed.tid !== replayed.node.current) this.used++;
      return replayed.tid;
    }
    const last = exec.lastTid;
    let current = -1;
    for (const r of ready) if (r.tid === last) current = last;
    let options: number[];
    if (current < 0) options = ready.map((r) => r.tid);
    else if (this.used >= this.bound) {
      options = [current];
      if (ready.length > 1) this.limited = true;
    } else {
      options = [current];
      for (const r of ready) if (r.tid !== current) options.push(r.tid);
    }
    this.path.push({ options, n: options.length, index: 0, current, label: ready.find((r) => r.tid === options[0])!.op.label });
    return options[0]!;
  }

  pickChoice(n: number, label: string, exec: ExecutionView): number {
    const replayed = this.path.replayChoice(n, label, exec);
    if (replayed !== null) return replayed;
    this.path.push({ options: null, n, index: 0, current: -1, label });
    return 0;
  }

  endExecution(result: ExecutionResult<unknown> | null): void {
    this.path.checkEnd(result);
    this.lastPreemptions = this.used;
    this.lastRepeated = this.bound > this.startBound && this.used < this.bound;
    if (this.lastRepeated) this.repeats++;
  }

  fractionDone(): number {
    // Of the current pass only.
    return this.exhausted ? 1 : this.path.fraction();
  }

  counters(): Readonly<Record<string, number>> {
    return { bound: this.bound, repeats: this.repeats };
  }

  info(): StrategyInfo {
    return { strategy: 'bounded', bounds: { maxPreemptions: this.maxBound } };
  }
}
