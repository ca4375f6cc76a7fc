import { defineConfig } from 'vitest/config';

// The e2e suite drives the built app (dist/) in a real browser; run `npm run build` first.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
