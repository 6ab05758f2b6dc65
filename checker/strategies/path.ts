/*
 * The decision path of a depth-first strategy (loom's rt/path.rs): one node
 * per decision of the current execution, a cursor that replays the recorded
 * prefix, and backtracking to the deepest node with an untried option. dfs.ts
 * and bounded.ts differ only in which options a new thread node gets; dpor.ts
 * keeps its backtrack set as a node's options (it grows while the subtree is
 * explored) and says, through `backtrack`'s hook, which option comes next.
 */
import type { ExecutionResult, ExecutionView, ThreadView } from '../runtime.ts';
import { describeThread, Nondeterminism } from '../strategy.ts';

export interface PathNode {
  /** Thread node: tids to try, in order; choice node: null. */
  readonly options: readonly number[] | null;
  /** Number of options (of a choice: its values). */
  readonly n: number;
  /** The option taken: an index into options, or a choice's value. */
  index: number;
  /** Label of the chosen thread's Op (thread nodes) or of the choice, null until seen. */
  label: string | null;
}

export class DecisionPath<N extends PathNode> {
  readonly nodes: N[] = [];
  private cursor = 0;
  private replayLen = 0;

  /** Starts replaying the recorded prefix. */
  rewind(): void {
    this.cursor = 0;
    this.replayLen = this.nodes.length;
  }

  /** Decisions recorded. */
  get length(): number {
    return this.nodes.length;
  }

  /** Decisions taken so far in this execution (replayed or new). */
  get position(): number {
    return this.cursor;
  }

  /** Whether the next decision is a replayed one. */
  get replaying(): boolean {
    return this.cursor < this.nodes.length;
  }

  /**
   * Moves to the next untried option of the deepest node that has one, never
   * above the first `floor` nodes; false when none is left. `advance` moves a
   * node to its next option and says whether it had one (default: the next
   * index).
   */
  backtrack(floor = 0, advance: (node: N) => boolean = nextIndex): boolean {
    const path = this.nodes;
    while (path.length > floor) {
      const node = path[path.length - 1]!;
      if (advance(node)) {
        node.label = null;
        return true;
      }
      path.pop();
    }
    return false;
  }

  /** While replaying: the recorded thread decision, checked against what the program offers; null past the prefix. */
  replayThread(ready: readonly ThreadView[], exec: ExecutionView): { readonly node: N; readonly tid: number } | null {
    if (this.cursor >= this.nodes.length) return null;
    const s = exec.steps.length;
    const node = this.nodes[this.cursor++]!;
    if (node.options === null) throw new Nondeterminism(s, 'the recorded prefix expects a choice here, but the program asks which thread runs next');
    const tid = node.options[node.index]!;
    const t = ready.find((r) => r.tid === tid);
    if (t === undefined) throw new Nondeterminism(s, `the recorded prefix runs thread #${tid}${node.label !== null ? ` ("${node.label}")` : ''}, but ${describeThread(exec, tid)}`);
    if (node.label === null) node.label = t.op.label;
    else if (node.label !== t.op.label) throw new Nondeterminism(s, `the recorded prefix runs ${t.name} at "${node.label}", but its next step is "${t.op.label}"`);
    return { node, tid };
  }

  /** While replaying: the recorded value of a choice; null past the prefix. */
  replayChoice(n: number, label: string, exec: ExecutionView): number | null {
    if (this.cursor >= this.nodes.length) return null;
    const node = this.nodes[this.cursor++]!;
    if (node.options !== null || node.n !== n)
      throw new Nondeterminism(exec.steps.length, `the program makes the choice "${label}" (${n} options) where the recorded prefix has ${node.options !== null ? 'a thread decision' : `a choice of ${node.n} options`}`);
    return node.index;
  }

  /** A new decision past the prefix; its first option is taken. */
  push(node: N): void {
    this.nodes.push(node);
    this.cursor++;
  }

  /** The execution must have replayed the whole recorded prefix. */
  checkEnd(result: ExecutionResult<unknown> | null): void {
    if (result !== null && this.cursor < this.replayLen)
      throw new Nondeterminism(result.steps.length, `the execution ended (${result.result.status}) after ${result.steps.length} steps, before the recorded prefix of ${this.replayLen} decisions was replayed`);
  }

  /**
   * Untried options of the nodes below the first `floor` (`live` says which
   * of a node's options after the chosen one will still be taken): each
   * begins at least one more execution, so this is a lower bound on what is
   * left, where `fraction` is only a guess.
   */
  untried(floor = 0, live?: (node: N, k: number) => boolean): number {
    let n = 0;
    for (let k = floor; k < this.nodes.length; k++) {
      const node = this.nodes[k]!;
      if (live === undefined) n += node.n - node.index - 1;
      else for (let j = node.index + 1; j < node.n; j++) if (live(node, j)) n++;
    }
    return n;
  }

  /** Fraction of the tree left of the current path below the first `floor` nodes (an estimate: subtrees weighed as equal). */
  fraction(floor = 0): number {
    let frac = 0;
    let weight = 1;
    for (let k = floor; k < this.nodes.length; k++) {
      const node = this.nodes[k]!;
      frac += (weight * node.index) / node.n;
      weight /= node.n;
    }
    return frac;
  }
}

function nextIndex(node: PathNode): boolean {
  if (node.index + 1 >= node.n) return false;
  node.index++;
  return true;
}
