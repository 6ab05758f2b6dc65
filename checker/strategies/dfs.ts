/*
 * Naive exhaustive depth-first search: every interleaving of every enabled
 * thread at every step, and every value of every choice. No reduction at
 * all, so it is the oracle the reducing strategies are tested against and
 * the baseline of the benchmark. Children are tried in tid order.
 */
import type { ExecutionResult, ExecutionView, ThreadView } from '../runtime.ts';
import { Nondeterminism, type Strategy, type StrategyInfo } from '../strategy.ts';
import { DecisionPath, type PathNode } from './path.ts';

export class DfsStrategy implements Strategy {
  readonly name = 'dfs';
  readonly exhaustive = true;
  complete = false;
  private readonly path = new DecisionPath<PathNode>();
  private started = false;
  private exhausted = false;
  private maxDepth = 0;

  beginExecution(): boolean {
    if (this.exhausted) return false;
    if (this.started && !this.path.backtrack()) {
      this.exhausted = true;
      this.complete = true;
      return false;
    }
    this.started = true;
    this.path.rewind();
    return true;
  }

  pickThread(ready: readonly ThreadView[], exec: ExecutionView): number {
    const replayed = this.path.replayThread(ready, exec);
    if (replayed !== null) {
      if (replayed.node.options!.length !== ready.length) throw new Nondeterminism(exec.steps.length, `${replayed.node.options!.length} threads were ready here before, ${ready.length} now`);
      return replayed.tid;
    }
    const options = ready.map((r) => r.tid);
    this.path.push({ options, n: options.length, index: 0, label: ready[0]!.op.label });
    return options[0]!;
  }

  pickChoice(n: number, label: string, exec: ExecutionView): number {
    const replayed = this.path.replayChoice(n, label, exec);
    if (replayed !== null) return replayed;
    this.path.push({ options: null, n, index: 0, label });
    return 0;
  }

  endExecution(result: ExecutionResult<unknown> | null): void {
    this.path.checkEnd(result);
    if (result !== null && result.steps.length > this.maxDepth) this.maxDepth = result.steps.length;
  }

  fractionDone(): number {
    return this.exhausted ? 1 : this.path.fraction();
  }

  remainingAtLeast(): number {
    return this.exhausted ? 0 : this.path.untried();
  }

  counters(): Readonly<Record<string, number>> {
    return { maxDepth: this.maxDepth };
  }

  info(): StrategyInfo {
    return { strategy: 'dfs', bounds: {} };
  }
}
