import { defineConfig } from 'vitest/config';

/* The kill suite only (Stryker's test command); `npm test` never includes it. */
export default defineConfig({
  test: {
    include: ['traces/mutation.kill.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 120_000,
  },
});
