/*
 * Naive exhaustive depth-first search: every interleaving of every enabled
 * thread at every step, and every value of every choice. No reduction at
 * all, so it is the oracle the reducing strategies are tested against and
 * the baseline of the benchmark. Children are tried in tid order.
 */
import type { ExecutionResult, ExecutionView, ThreadView } from '../runtime.ts';
import { describeThread, Nondeterminism, type Strategy, type StrategyInfo } from '../strategy.ts';

interface Node {
  /** Thread node: the ready tids; choice node: null. */
  readonly options: readonly number[] | null;
  readonly n: number;
  index: number;
  /** Label of the chosen thread's Op (thread nodes), null until seen. */
  label: string | null;
}

export class DfsStrategy implements Strategy {
  readonly name = 'dfs';
  readonly exhaustive = true;
  complete = false;
  private readonly path: Node[] = [];
  private cursor = 0;
  private replayLen = 0;
  private started = false;
  private exhausted = false;
  private maxDepth = 0;

  beginExecution(): boolean {
    if (this.exhausted) return false;
    if (this.started) this.backtrack();
    this.started = true;
    if (this.exhausted) return false;
    this.cursor = 0;
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
    this.exhausted = true;
    this.complete = true;
  }

  pickThread(ready: readonly ThreadView[], exec: ExecutionView): number {
    const s = exec.steps.length;
    if (this.cursor < this.path.length) {
      const node = this.path[this.cursor++]!;
      if (node.options === null) throw new Nondeterminism(s, 'the recorded prefix expects a choice here, but the program asks which thread runs next');
      if (node.options.length !== ready.length) throw new Nondeterminism(s, `${node.options.length} threads were ready here before, ${ready.length} now`);
      const tid = node.options[node.index]!;
      const t = ready.find((r) => r.tid === tid);
      if (t === undefined) throw new Nondeterminism(s, `the recorded prefix runs thread #${tid}, but ${describeThread(exec, tid)}`);
      if (node.label === null) node.label = t.op.label;
      else if (node.label !== t.op.label) throw new Nondeterminism(s, `the recorded prefix runs ${t.name} at "${node.label}", but its next step is "${t.op.label}"`);
      return tid;
    }
    const options = ready.map((r) => r.tid);
    this.path.push({ options, n: options.length, index: 0, label: ready[0]!.op.label });
    this.cursor++;
    return options[0]!;
  }

  pickChoice(n: number, label: string, exec: ExecutionView): number {
    if (this.cursor < this.path.length) {
      const node = this.path[this.cursor++]!;
      if (node.options !== null || node.n !== n) throw new Nondeterminism(exec.steps.length, `the program makes the choice "${label}" (${n} options) where the recorded prefix has ${node.options !== null ? 'a thread decision' : `a choice of ${node.n} options`}`);
      return node.index;
    }
    this.path.push({ options: null, n, index: 0, label });
    this.cursor++;
    return 0;
  }

  endExecution(result: ExecutionResult<unknown> | null): void {
    if (result !== null && this.cursor < this.replayLen)
      throw new Nondeterminism(result.steps.length, `the execution ended after ${result.steps.length} steps, before the recorded prefix of ${this.replayLen} decisions was replayed`);
    if (result !== null && result.steps.length > this.maxDepth) this.maxDepth = result.steps.length;
  }

  fractionDone(): number {
    let frac = 0;
    let weight = 1;
    for (const node of this.path) {
      frac += (weight * node.index) / node.n;
      weight /= node.n;
    }
    return this.exhausted ? 1 : frac;
  }

  counters(): Readonly<Record<string, number>> {
    return { maxDepth: this.maxDepth };
  }

  info(): StrategyInfo {
    return { strategy: 'dfs', bounds: {} };
  }
}
