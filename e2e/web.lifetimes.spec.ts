// Terminal lifetimes in the window (issue 15): each restart makes a new console and each shell tab an xterm
// with 10,000 lines of scrollback; whoever makes one disposes it. Measured in Chromium's own heap (CDP:
// garbage collected, then Runtime.getHeapUsage) over 50 restarts of a real machine and 50 shell tabs opened
// and closed, after a few of each to warm up. Before the owners (renderer/terminals/sessions.ts) every one
// of them stayed until the machine was deleted: 13 MiB over 50 restarts, against 1.1 MiB now (bench/README.md).
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROUNDS = Number(process.env.BURROW_E2E_LIFETIME_ROUNDS ?? 50);
const WARM_UP = 10;
/** Heap growth allowed over all rounds: noise of a few hundred KiB, far below one terminal's worth per round. */
const BUDGET_BYTES = 2 * 1024 * 1024;
const MACHINE = 'lifetimes';

const burrow = (...args: string[]) => {
  const env = { ...process.env, ...JSON.parse(process.env.BURROW_E2E_ENV ?? '{}') };
  return spawnSync(process.execPath, [path.join(__dirname, '..', 'bin', 'burrow'), ...args], { env, encoding: 'utf8' });
};

async function heapUsed(cdp: CDPSession): Promise<number> {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2);
const growth = (before: number, after: number) => `${mib(before)} MiB -> ${mib(after)} MiB (${((after - before) / 2 ** 10).toFixed(0)} KiB)`;
const terminals = (page: Page) => page.evaluate(() => (window as { __burrowTerminals?: () => number }).__burrowTerminals?.() ?? -1);
const state = (page: Page) => page.locator('.machine-head [data-state]');

test.describe.configure({ mode: 'serial' });

test.beforeAll(() => {
  const made = burrow('create', MACHINE, '--rootfs', process.env.BURROW_E2E_ROOTFS!, '--network', 'isolated');
  expect(made.status, made.stderr).toBe(0);
});

test.afterAll(() => {
  burrow('kill', MACHINE);
  burrow('rm', MACHINE);
});

async function openMachine(page: Page): Promise<CDPSession> {
  await page.goto(process.env.BURROW_E2E_URL!);
  await page
    .getByRole('navigation', { name: 'Machines' })
    .getByRole('button', { name: new RegExp(`^${MACHINE}\\b`) })
    .click();
  return page.context().newCDPSession(page);
}

async function restart(page: Page): Promise<void> {
  const console = page.getByTestId('terminal-console');
  // The console shown now is the old launch's: the next one must be a new xterm.
  await console.locator('.xterm').evaluate((el) => el.setAttribute('data-old-launch', ''));
  await page.getByRole('button', { name: 'Restart', exact: true }).click();
  await expect(state(page)).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await expect(console.locator('.xterm:not([data-old-launch]) .xterm-rows')).toContainText('Reached target', { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Restart', exact: true })).toBeEnabled({ timeout: 60_000 });
}

test('50 restarts leave no console behind', async ({ page }) => {
  test.setTimeout(15 * 60_000);
  const cdp = await openMachine(page);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(state(page)).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  for (let i = 0; i < WARM_UP; i++) await restart(page);
  const before = await heapUsed(cdp);
  const count = await terminals(page);
  for (let i = 0; i < ROUNDS; i++) await restart(page);
  const after = await heapUsed(cdp);
  console.log(`heap over ${ROUNDS} restarts: ${growth(before, after)}`);
  expect(await terminals(page)).toBe(count);
  expect(after - before).toBeLessThan(BUDGET_BYTES);
});

test('50 shell tabs opened and closed leave none behind', async ({ page }) => {
  test.setTimeout(15 * 60_000);
  const cdp = await openMachine(page);
  await expect(state(page)).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await page.getByRole('tab', { name: 'Shell' }).click();
  const shell = page.getByTestId('terminal-shell').locator('.xterm-rows');
  await expect(shell).toContainText('#', { timeout: 30_000 });
  const cycle = async () => {
    await page.getByRole('button', { name: 'New shell' }).click();
    const current = page.getByRole('toolbar', { name: 'Shells' }).locator('[aria-pressed="true"]');
    const label = (await current.textContent())!.trim();
    await expect(shell).toContainText('#', { timeout: 30_000 });
    await page.getByRole('button', { name: `Close ${label.toLowerCase()}` }).click();
    await expect(page.getByRole('button', { name: label, exact: true })).toHaveCount(0);
  };
  for (let i = 0; i < WARM_UP; i++) await cycle();
  const before = await heapUsed(cdp);
  const count = await terminals(page);
  for (let i = 0; i < ROUNDS; i++) await cycle();
  const after = await heapUsed(cdp);
  console.log(`heap over ${ROUNDS} shell tabs: ${growth(before, after)}`);
  expect(await terminals(page)).toBe(count);
  expect(after - before).toBeLessThan(BUDGET_BYTES);
});
