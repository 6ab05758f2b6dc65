/*
 * Where DPOR's executions come from: a RaceExplainer (dpor.ts) that tallies
 * the races it analyses per pair of operations (the two steps' kinds and
 * labels, and the resources they conflict on), with what became of each
 * race. Every backtrack point the search adds is one `reversed` (or
 * `fallback`) race, so the rows with the most of them are the dependencies
 * that cost executions.
 */
import type { RaceExplainer, RaceOutcome, RaceSide } from './dpor.ts';

export interface RacePairCount {
  readonly first: string;
  readonly second: string;
  readonly resources: string;
  /** Backtrack points added (reversed + fallback). */
  readonly backtracks: number;
  readonly outcomes: Readonly<Record<RaceOutcome, number>>;
}

const side = (s: RaceSide) => `${s.kind} ${s.label}${s.pending ? ' (pending)' : ''}`;

export class RaceTally implements RaceExplainer {
  private readonly rows = new Map<string, { first: string; second: string; resources: string; outcomes: Record<RaceOutcome, number> }>();

  race(first: RaceSide, second: RaceSide, resources: readonly string[], outcome: RaceOutcome): void {
    const a = side(first);
    const b = side(second);
    const res = [...new Set(resources)].sort().join(', ');
    const key = `${a}\u0000${b}\u0000${res}`;
    let r = this.rows.get(key);
    if (r === undefined) {
      r = { first: a, second: b, resources: res, outcomes: { reversed: 0, fallback: 0, covered: 0, notCoEnabled: 0, aboveSplit: 0 } };
      this.rows.set(key, r);
    }
    r.outcomes[outcome]++;
  }

  /** Pairs by backtrack points caused, most first (ties by name: deterministic). */
  pairs(): RacePairCount[] {
    return [...this.rows.values()]
      .map((r) => ({ ...r, backtracks: r.outcomes.reversed + r.outcomes.fallback }))
      .sort((x, y) => y.backtracks - x.backtracks || y.outcomes.covered - x.outcomes.covered || (x.first + x.second + x.resources < y.first + y.second + y.resources ? -1 : 1));
  }

  /** Backtrack points per resource (a pair conflicting on several counts for each). */
  byResource(): [string, number][] {
    const m = new Map<string, number>();
    for (const p of this.pairs()) for (const r of p.resources.split(', ')) m.set(r, (m.get(r) ?? 0) + p.backtracks);
    return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }

  total(): number {
    let n = 0;
    for (const r of this.rows.values()) n += r.outcomes.reversed + r.outcomes.fallback;
    return n;
  }
}
