/*
 * Mazurkiewicz traces of executions, as an independent oracle for the
 * reducing strategies: two executions are equivalent when one can be turned
 * into the other by swapping adjacent independent steps, i.e. when they have
 * the same steps (per thread, in order) and the same happens-before order.
 * The signature below is that order written out (every step with its vector
 * clock), computed the slow obvious way from dependency.ts.
 */
import { dependent, type Relation } from './dependency.ts';
import type { ExecutionResult, Program } from './runtime.ts';
import { explore } from './explore.ts';
import { RefLedger } from './refcount.ts';

/**
 * A string equal for two executions exactly when they are equivalent (under the dependency relation, default commuting;
 * `refcounts`: with robust reference-count operations as adds, refcount.ts, for a program that keeps the ownership discipline).
 */
export function traceSignature(result: ExecutionResult<unknown>, relation: Relation = 'commuting', refcounts = false): string {
  const steps = result.steps;
  const ledger = refcounts ? new RefLedger() : null;
  const fps = steps.map((s) => (ledger !== null ? ledger.rewrite(s.tid, s.fp) : s.fp));
  const clocks: number[][] = [];
  const pos: number[] = [];
  const count = new Map<number, number>();
  const spawnedBy = new Map<number, number>();
  for (let j = 0; j < steps.length; j++) {
    const s = steps[j]!;
    const p = (count.get(s.tid) ?? 0) + 1;
    count.set(s.tid, p);
    pos[j] = p;
    const c: number[] = [];
    const joinFrom = (i: number) => clocks[i]!.forEach((v, u) => (c[u] = Math.max(c[u] ?? 0, v)));
    for (let i = 0; i < j; i++) {
      const e = steps[i]!;
      if (e.tid === s.tid || dependent(fps[i]!, fps[j]!, relation) || (p === 1 && spawnedBy.get(s.tid) === i)) joinFrom(i);
    }
    c[s.tid] = p;
    clocks[j] = c;
    for (const child of s.spawned ?? []) spawnedBy.set(child, j);
  }
  const byThread = new Map<number, string[]>();
  steps.forEach((s, j) => {
    const l = byThread.get(s.tid) ?? [];
    l.push(`${s.label}${s.choices ? `/${s.choices.join('.')}` : ''}@${Array.from(clocks[j]!, (v) => v ?? 0).join(',')}`);
    byThread.set(s.tid, l);
  });
  return [...byThread.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, l]) => `${t}: ${l.join(' ; ')}`)
    .join('\n');
}

/** Number of Mazurkiewicz traces of a (small) program's maximal executions, by naive enumeration. */
export function countTraces<W>(program: Program<W>, maxExecutions = 2_000_000, relation: Relation = 'commuting'): number {
  const sigs = new Set<string>();
  const o = explore(program, {
    strategy: { kind: 'dfs' },
    stopOnViolation: false,
    races: false,
    maxExecutions,
    onExecution: (r) => sigs.add(traceSignature(r, relation)),
  });
  if (!o.stats.complete) throw new Error(`countTraces: ${program.name} has more than ${maxExecutions} interleavings`);
  return sigs.size;
}
