/*
 * lastzero(N), one of the classic DPOR benchmarks (Abdulla et al., "Optimal
 * Dynamic Partial Order Reduction", POPL 2014), written as a user would, with
 * checker/index.ts alone. Array a[0..N] starts all zero. The reader scans
 * from a[N] down to the last zero; writer j (1..N) sets a[j] = a[j-1] + 1.
 * checker/README.md shows this file; checker/example.test.ts runs it.
 */
import { Cell, explore, load, store, type Ctx, type KThread, type Program } from '../index.ts';

interface World {
  readonly a: Cell[];
  /** Index the reader stopped at. */
  found: number;
}

function* reader(w: World, n: number): KThread<void> {
  let i = n;
  while ((yield* load(w.a[i]!)) !== 0) i--;
  w.found = i;
}

function* writer(w: World, j: number): KThread<void> {
  const prev = yield* load(w.a[j - 1]!);
  yield* store(w.a[j]!, prev + 1);
}

export function lastzero(n: number): Program<World> {
  return {
    name: `lastzero(${n})`,
    setup(ctx: Ctx) {
      const w: World = { a: Array.from({ length: n + 1 }, (_, i) => new Cell(`a[${i}]`, 0)), found: -1 };
      ctx.spawn('reader', () => reader(w, n));
      for (let j = 1; j <= n; j++) ctx.spawn(`writer${j}`, () => writer(w, j));
      return w;
    },
    // a[0] is never written, so the scan stops at 0 at the latest.
    finals: [{ name: 'scan stopped', check: (w) => (w.found >= 0 ? null : `reader stopped at ${w.found}`) }],
  };
}

/** Run with `npx tsx checker/example/lastzero.ts 4`. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const out = explore(lastzero(Number(process.argv[2] ?? 4)), { strategy: { kind: 'dpor' }, races: false });
  console.log(out.status, out.stats.executions, 'executions', out.stats.cut, 'cut');
}
