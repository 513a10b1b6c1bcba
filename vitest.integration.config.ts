import { defineConfig } from 'vitest/config';

// Integration tests boot real machines with real bubblewrap, as an unprivileged user (see scripts/test-all.sh).
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
