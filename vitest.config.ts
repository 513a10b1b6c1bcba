import { defineConfig } from 'vitest/config';

// Unit tests: pure logic and components, no machines. Integration tests have their own config.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  test: {
    include: ['electron/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['scripts/vitest-lazy-require.ts'],
  },
});
