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
import { describeThread, Nondeterminism, type Strategy, type StrategyInfo } from '../strategy.ts';

interface Node {
  /** Thread node: tids to try, the non-preempting one first; choice node: null. */
  readonly options: readonly number[] | null;
  readonly n: number;
  index: number;
  /** The thread that ran the previous step, if it is ready here (switching away is a preemption), else -1. */
  readonly current: number;
  label: string | null;
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
  private path: Node[] = [];
  private cursor = 0;
  private replayLen = 0;
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
    if (this.started) this.backtrack();
    this.started = true;
    if (this.exhausted) return false;
    this.cursor = 0;
    this.used = 0;
    this.replayLen = this.path.length;
    return true;
  }

  private backtrack(): void {
    const path = this.path;
    while (path.length > 0) {
      const node = path[path.length - 1]!;
      if (node.index + 1 < node.n) {
        node.index++;
        node.label = null;
        return;
      }
      path.pop();
    }
    // A pass is over.
    if (!this.limited || this.bound >= this.maxBound) {
      this.exhausted = true;
      this.complete = true;
      return;
    }
    this.bound++;
    this.limited = false;
  }

  pickThread(ready: readonly ThreadView[], exec: ExecutionView): number {
    const s = exec.steps.length;
    if (this.cursor < this.path.length) {
      const node = this.path[this.cursor++]!;
      if (node.options === null) throw new Nondeterminism(s, 'the recorded prefix expects a choice here, but the program asks which thread runs next');
      const tid = node.options[node.index]!;
      const t = ready.find((r) => r.tid === tid);
      if (t === undefined) throw new Nondeterminism(s, `the recorded prefix runs thread #${tid}, but ${describeThread(exec, tid)}`);
      if (node.label === null) node.label = t.op.label;
      else if (node.label !== t.op.label) throw new Nondeterminism(s, `the recorded prefix runs ${t.name} at "${node.label}", but its next step is "${t.op.label}"`);
      if (node.current >= 0 && tid !== node.current) this.used++;
      return tid;
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
    this.cursor++;
    return options[0]!;
  }

  pickChoice(n: number, label: string, exec: ExecutionView): number {
    if (this.cursor < this.path.length) {
      const node = this.path[this.cursor++]!;
      if (node.options !== null || node.n !== n) throw new Nondeterminism(exec.steps.length, `the program makes the choice "${label}" (${n} options) where the recorded prefix has ${node.options !== null ? 'a thread decision' : `a choice of ${node.n} options`}`);
      return node.index;
    }
    this.path.push({ options: null, n, index: 0, current: -1, label });
    this.cursor++;
    return 0;
  }

  endExecution(result: ExecutionResult<unknown> | null): void {
    if (result !== null && this.cursor < this.replayLen)
      throw new Nondeterminism(result.steps.length, `the execution ended after ${result.steps.length} steps, before the recorded prefix of ${this.replayLen} decisions was replayed`);
    this.lastPreemptions = this.used;
    this.lastRepeated = this.bound > this.startBound && this.used < this.bound;
    if (this.lastRepeated) this.repeats++;
  }

  fractionDone(): number {
    // Of the current pass only.
    let frac = 0;
    let weight = 1;
    for (const node of this.path) {
      frac += (weight * node.index) / node.n;
      weight /= node.n;
    }
    return this.exhausted ? 1 : frac;
  }

  counters(): Readonly<Record<string, number>> {
    return { bound: this.bound, repeats: this.repeats };
  }

  info(): StrategyInfo {
    return { strategy: 'bounded', bounds: { maxPreemptions: this.maxBound } };
  }
}
