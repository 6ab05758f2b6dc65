import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.stryker-tmp/**'],
    pool: 'forks',
    testTimeout: 60_000,
    coverage: { provider: 'v8', reporter: ['text-summary', 'text'] },
  },
});
