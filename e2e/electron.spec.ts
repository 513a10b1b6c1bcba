// The desktop app itself: launch Electron, see the wizard, boot the test image, see ready on the console.
// Runs where the Electron runtime is installed; this build machine cannot download it.
import { _electron as electron, expect, test } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

function electronBinary(): string | undefined {
  try {
    const bin = require('electron') as unknown as string;
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
test.skip(!binary, 'Electron runtime not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1 here): run npx electron install, then this spec');

test('the desktop window creates and boots a machine', async () => {
  const app = await electron.launch({ executablePath: binary, args: [path.join(__dirname, '..', 'dist', 'main.js')], env: { ...process.env, ...JSON.parse(process.env.BURROW_E2E_ENV ?? '{}') } });
  const page = await app.firstWindow();
  await expect(page.getByRole('button', { name: 'New machine' })).toBeVisible();
  // Sandboxed, isolated, no Node: the page sees only the frozen contract object.
  expect(await page.evaluate(() => [typeof (window as unknown as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process, Object.isFrozen(window.burrow)])).toEqual(['undefined', 'undefined', true]);
  await page.getByRole('button', { name: 'New machine' }).click();
  await page.getByLabel('Machine name').fill('desk');
  await page.getByRole('radio', { name: 'a folder' }).check();
  await page.getByLabel('Rootfs folder').fill(process.env.BURROW_E2E_ROOTFS!);
  await expect(page.getByLabel('What the image holds')).toContainText('Debian');
  for (let i = 0; i < 6; i++) await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Create machine' }).click();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.locator('.machine-head [data-state]')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await expect(page.getByTestId('terminal-console').locator('.xterm-rows')).toContainText('Started');
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.locator('.machine-head [data-state]')).toHaveAttribute('data-state', 'exited', { timeout: 60_000 });
  await app.close();
});
