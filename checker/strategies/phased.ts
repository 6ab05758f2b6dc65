/*
 * A short seeded random phase before an exhaustive search (issue 15, item 5):
 * the first `executions` executions alternate a uniform random walk and PCT
 * (depth 3), then the exhaustive strategy runs as it would alone. Shallow
 * bugs among many threads are found in a few executions, where DPOR reaches
 * them only after the subtrees it reverses first; the search after the phase
 * is unchanged, so exhaustiveness and its counts are too.
 *
 * The two phase strategies get seeds drawn from one Prng(seed): the phase is
 * a deterministic function of the program and the seed. A counterexample
 * found in the phase names its phase strategy and seed (StrategyInfo), so it
 * replays like any other.
 */
import type { ExecutionResult, ExecutionView, Sections, StepRecord, ThreadView } from '../runtime.ts';
import { Prng } from '../prng.ts';
import type { Strategy, StrategyInfo } from '../strategy.ts';
import { PctStrategy } from './pct.ts';
import { RandomStrategy } from './random.ts';

/** PCT depth of the phase: bugs needing up to two forced switches. */
export const PHASE_PCT_DEPTH = 3;

export class PhasedStrategy implements Strategy {
  private readonly phase: readonly Strategy[];
  private cur: Strategy;
  /** Phase executions begun. */
  private ran = 0;
  private mainStarted = false;

  constructor(
    /** null: the phase alone (the split search runs it before its tasks). */
    private readonly main: Strategy | null,
    private readonly executions: number,
    seed: number,
  ) {
    if (!Number.isInteger(executions) || executions < 0) throw new RangeError(`random phase of ${executions} executions is not accepted: give a whole number >= 0`);
    const prng = new Prng(seed);
    this.phase = [new RandomStrategy(prng.next32()), new PctStrategy({ depth: PHASE_PCT_DEPTH, seed: prng.next32() })];
    this.cur = executions > 0 || main === null ? this.phase[0]! : main;
  }

  get name(): string {
    return this.main?.name ?? 'random-phase';
  }
  get exhaustive(): boolean {
    return this.main?.exhaustive ?? false;
  }
  get complete(): boolean {
    return this.main?.complete ?? false;
  }
  get lastRepeated(): boolean | undefined {
    return this.cur.lastRepeated;
  }
  get lastPreemptions(): number | undefined {
    return this.cur.lastPreemptions;
  }
  /** True while the phase runs (the current execution is a phase one). */
  get inPhase(): boolean {
    return this.cur !== this.main;
  }

  beginExecution(): boolean {
    if (this.ran < this.executions) {
      this.cur = this.phase[this.ran % this.phase.length]!;
      this.ran++;
      return this.cur.beginExecution();
    }
    if (this.main === null) return false;
    this.cur = this.main;
    this.mainStarted = true;
    return this.main.beginExecution();
  }

  /** The running phase's: the random phase merges no sections, the main search as it is configured. */
  get sections(): Sections | null {
    return this.cur.sections ?? null;
  }

  pickThread(ready: readonly ThreadView[], exec: ExecutionView): number {
    return this.cur.pickThread(ready, exec);
  }

  pickChoice(n: number, label: string, exec: ExecutionView): number {
    return this.cur.pickChoice(n, label, exec);
  }

  onStep(rec: StepRecord, exec: ExecutionView): void {
    this.cur.onStep?.(rec, exec);
  }

  endExecution(result: ExecutionResult<unknown> | null): void {
    this.cur.endExecution(result);
  }

  fractionDone(): number {
    return this.mainStarted && this.main?.fractionDone ? this.main.fractionDone() : 0;
  }

  remainingAtLeast(): number {
    // The main search has at least one execution to run until it has begun.
    const main = this.main === null ? 0 : this.mainStarted ? (this.main.remainingAtLeast?.() ?? 0) : 1;
    return this.executions - this.ran + main;
  }

  counters(): Readonly<Record<string, number>> {
    return { ...(this.main?.counters() ?? {}), randomPhase: this.ran };
  }

  /** The strategy of the current execution: a phase one names its own seed, so its counterexamples replay. */
  info(): StrategyInfo {
    return this.cur.info();
  }
}
