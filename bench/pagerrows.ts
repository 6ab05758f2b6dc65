/*
 * Pager rows of `npm run bench` (issue 15 item 6): steps per second of three
 * catalog scenarios stepped bare (their generators, no checker), under DPOR,
 * and under DPOR with the spec machines in lock-step (traces/checked.ts), as
 * the main job runs them (data races off). The DPOR columns time whole
 * searches, repeated until half a second has passed, after as long a
 * warm-up; bare stepping includes each execution's setup of the world.
 */
import { explore, type Outcome } from '../checker/explore.ts';
import type { Program } from '../checker/runtime.ts';
import { catalogScenario } from '../properties/catalog.ts';
import { buildProgram } from '../properties/program.ts';
import { checkedProgram } from '../traces/checked.ts';
import { bareRate } from './bare.ts';
import { registerCustomBench } from './registry.ts';

export const PAGER_ROWS = ['alloc-race', 'sparse-file', 'two-faults-vs-pagedaemon'] as const;

const fmtRate = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(1)}k`);

/* Steps per second of whole DPOR searches of fresh programs, until 500 ms have passed; and the last outcome. */
function dporRate(program: () => Program<unknown>): { rate: number; last: Outcome } {
  let steps = 0;
  let ms = 0;
  let last: Outcome;
  do {
    last = explore(program(), { races: false, stopOnViolation: false });
    steps += last.stats.steps;
    ms += last.stats.elapsedMs;
  } while (ms < 500);
  return { rate: steps / (ms / 1000), last };
}

for (const name of PAGER_ROWS)
  registerCustomBench({
    name,
    group: 'pager',
    run: async () => {
      const s = catalogScenario(name);
      const plain = () => buildProgram(s, { variant: 'seed' }) as Program<unknown>;
      const spec = () => checkedProgram(s, 'seed', { spec: true, races: false }).program as Program<unknown>;
      // Warm both up first: the first searches of a program run mostly unoptimized code.
      dporRate(plain);
      dporRate(spec);
      const d = dporRate(plain);
      const ds = dporRate(spec);
      const bare = bareRate(plain());
      const st = d.last.stats;
      return {
        scenario: name,
        threads: String(s.threads.length),
        'dpor exec': st.executions.toLocaleString('en-US') + (st.complete ? '' : '+'),
        'sleep-cut': st.cut.toLocaleString('en-US'),
        'bare steps/s': fmtRate(bare),
        'dpor steps/s': fmtRate(d.rate),
        'dpor+spec steps/s': fmtRate(ds.rate),
        'spec cost': `${(d.rate / ds.rate).toFixed(2)}x`,
        overhead: `${(bare / ds.rate).toFixed(1)}x`,
      };
    },
  });
