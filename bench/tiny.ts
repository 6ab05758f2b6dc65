/* The checker's tiny programs (checker/examples.ts) as benchmark rows, with their closed-form trace counts. */
import { registerBenchCase } from './registry.ts';
import { binom, disjointWriters, factorial, lockedCounters, lostWakeup, multinomial, sharedWriters } from '../checker/examples.ts';

registerBenchCase({ name: 'disjoint writers 3x2', group: 'tiny', program: () => disjointWriters(3, 2), traces: 1, dfs: true });
registerBenchCase({ name: 'disjoint writers 6x20', group: 'tiny', program: () => disjointWriters(6, 20), traces: 1, dfs: false });
for (const n of [4, 6, 8, 10]) registerBenchCase({ name: `shared writers 2x${n}`, group: 'tiny', program: () => sharedWriters(n), traces: binom(2 * n, n), dfs: n <= 8 });
registerBenchCase({ name: 'shared writers 3x3', group: 'tiny', program: () => sharedWriters(3, 3), traces: multinomial([3, 3, 3]), dfs: true });
registerBenchCase({ name: 'shared writers 4x2', group: 'tiny', program: () => sharedWriters(2, 4), traces: multinomial([2, 2, 2, 2]), dfs: false });
registerBenchCase({ name: 'locked counters 3x2', group: 'tiny', program: () => lockedCounters(3, 2), traces: factorial(6) / 8, dfs: true });
registerBenchCase({ name: 'locked counters 5x1', group: 'tiny', program: () => lockedCounters(5, 1), traces: factorial(5), dfs: false });
registerBenchCase({ name: 'locked counters 4x2', group: 'tiny', program: () => lockedCounters(4, 2), traces: factorial(8) / 16, dfs: false });
registerBenchCase({ name: 'lost wakeup', group: 'tiny', program: () => lostWakeup(), traces: 2, dfs: true });
