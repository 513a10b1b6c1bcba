import { defineConfig } from '@playwright/test';

// End-to-end: the real window against the real engine. The web project drives Debian's Chromium through
// `burrow serve`; the electron project runs where the Electron runtime is installed (skipped here).
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'e2e/artifacts/results',
  timeout: 180_000,
  expect: { timeout: 20_000 },
  workers: 1,
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [
    {
      name: 'web',
      testMatch: /web\..*spec\.ts/,
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 820 },
        launchOptions: {
          executablePath: process.env.BURROW_CHROMIUM ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        },
      },
    },
    { name: 'electron', testMatch: /electron\.spec\.ts/ },
  ],
});
