/*
 * Child process of checkpoint.test.ts: a checkpointed run, slowed down per
 * task (outside the search, so results are unaffected) so the test can kill
 * it mid-way. argv: checkpoint file.
 */
import { exploreCheckpointed } from './checkpoint.ts';
import { exampleRef } from './examples.ts';

const file = process.argv[2]!;
await exploreCheckpointed(
  exampleRef('sharedWriters', 3, 3),
  {
    file,
    workers: 0,
    stopOnViolation: false,
    intervalMs: 20,
    onResult: () => {
      const end = performance.now() + 40;
      while (performance.now() < end);
    },
  },
);
