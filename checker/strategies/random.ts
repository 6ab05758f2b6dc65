/*
 * Uniform random walk: at every step one of the enabled threads, uniformly;
 * every open choice uniformly. Seeded (prng.ts), so a seed names a sequence
 * of executions.
 */
import type { ExecutionResult, ThreadView } from '../runtime.ts';
import { Prng } from '../prng.ts';
import type { Strategy, StrategyInfo } from '../strategy.ts';

export class RandomStrategy implements Strategy {
  readonly name = 'random';
  readonly exhaustive = false;
  readonly complete = false;
  private readonly prng: Prng;

  constructor(private readonly seed: number) {
    this.prng = new Prng(seed);
  }

  beginExecution(): boolean {
    return true;
  }

  pickThread(ready: readonly ThreadView[]): number {
    return ready[this.prng.below(ready.length)]!.tid;
  }

  pickChoice(n: number): number {
    return this.prng.below(n);
  }

  endExecution(_result: ExecutionResult<unknown> | null): void {}

  counters(): Readonly<Record<string, number>> {
    return {};
  }

  info(): StrategyInfo {
    return { strategy: 'random', bounds: {}, seed: this.seed };
  }
}
