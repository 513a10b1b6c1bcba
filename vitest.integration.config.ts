import { defineConfig } from 'vitest/config';

// Integration tests boot real machines with real bubblewrap, as an unprivileged user (see scripts/test-all.sh).
const scale = Math.max(1, Number(process.env.BURROW_TIME_SCALE) || 1);

export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    environment: 'node',
    // The qemu guest under emulation is several times slower (BURROW_TIME_SCALE, see test/integration/harness.ts).
    testTimeout: 120_000 * scale,
    hookTimeout: 180_000 * scale,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
