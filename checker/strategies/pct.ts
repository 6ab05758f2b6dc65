/*
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
 * Nagarakatte, "A Randomized Scheduler with Probabilistic Guarantees of
 * Finding Bugs", ASPLOS 2010). Each execution gives every thread a random
 * distinct priority above depth-1, picks depth-1 change points among the
 * first k steps, and always runs the highest-priority enabled thread; at the
 * i-th change point the thread about to run drops to priority i (below every
 * initial priority). A bug of depth d is found with probability at least
 * 1/(n * k^(d-1)) per execution.
 *
 * Departures from the paper (as in shuttle's pct.rs): k is not known in
 * advance, so it is the longest execution seen so far (at least `stepsHint`);
 * threads created while running get a random priority among the initial ones
 * at creation; a change point lowers the thread that would run at that step,
 * so every change point forces a switch when another thread can run.
 * Choices left open by the program are drawn uniformly.
 */
import type { ExecutionResult, ExecutionView, ThreadView } from '../runtime.ts';
import { Prng } from '../prng.ts';
import type { Strategy, StrategyInfo } from '../strategy.ts';

export interface PctOptions {
  /** Bug depth d >= 1: d-1 priority change points per execution. */
  readonly depth: number;
  readonly seed: number;
  /** Initial estimate of the execution length k (default 50). */
  readonly stepsHint?: number;
}

export class PctStrategy implements Strategy {
  readonly name = 'pct';
  readonly exhaustive = false;
  readonly complete = false;
  private readonly prng: Prng;
  private readonly depth: number;
  private k: number;
  /** Priority by tid; higher runs first. NaN: not yet assigned. */
  private prio: number[] = [];
  /** Step index of change point i (i = 1..depth-1) at changeAt[i-1]. */
  private changeAt: number[] = [];

  constructor(private readonly opts: PctOptions) {
    if (!Number.isInteger(opts.depth) || opts.depth < 1) throw new RangeError(`PCT depth ${opts.depth} is not accepted: give an integer >= 1`);
    this.depth = opts.depth;
    this.prng = new Prng(opts.seed);
    this.k = Math.max(1, opts.stepsHint ?? 50);
  }

  beginExecution(): boolean {
    this.prio = [];
    this.changeAt = [];
    for (let i = 1; i < this.depth; i++) this.changeAt.push(this.prng.below(this.k));
    return true;
  }

  private priorityOf(tid: number): number {
    let p = this.prio[tid];
    if (p === undefined) {
      p = this.depth + this.prng.float();
      this.prio[tid] = p;
    }
    return p;
  }

  pickThread(ready: readonly ThreadView[], exec: ExecutionView): number {
    const s = exec.steps.length;
    // Threads get their priority in tid order, the first time they are seen.
    for (const t of exec.threads) this.priorityOf(t.tid);
    let best = highest(ready, this.prio);
    for (let i = 0; i < this.changeAt.length; i++) {
      if (this.changeAt[i] === s) {
        this.prio[best] = i + 1;
        best = highest(ready, this.prio);
      }
    }
    return best;
  }

  pickChoice(n: number): number {
    return this.prng.below(n);
  }

  endExecution(result: ExecutionResult<unknown> | null): void {
    if (result !== null && result.steps.length > this.k) this.k = result.steps.length;
  }

  counters(): Readonly<Record<string, number>> {
    return { k: this.k };
  }

  info(): StrategyInfo {
    return { strategy: 'pct', bounds: { depth: this.depth }, seed: this.opts.seed };
  }
}

function highest(ready: readonly ThreadView[], prio: readonly number[]): number {
  let best = ready[0]!.tid;
  let bp = prio[best]!;
  for (let i = 1; i < ready.length; i++) {
    const t = ready[i]!.tid;
    if (prio[t]! > bp) {
      bp = prio[t]!;
      best = t;
    }
  }
  return best;
}
