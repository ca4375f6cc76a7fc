import { defineConfig } from 'vitest/config';

// Unit tests sit beside their module as *.test.ts; the e2e suite has its own config.
export default defineConfig({
  test: {
    include: ['electron/**/*.test.ts', 'common/**/*.test.ts', 'native-models/**/*.test.ts', 'db/**/*.test.ts', 'renderer/src/**/*.test.ts', 'scripts/**/*.test.ts', 'demo/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['scripts/test-setup.ts'],
  },
});
