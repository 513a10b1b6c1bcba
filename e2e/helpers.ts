// What the browser specs share: the host's address, the CLI in the same sandbox, screenshots, the axe scan
// and the window's own landmarks (the machine's state, the notification history).
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

export const url = () => process.env.BURROW_E2E_URL!;
export const rootfs = () => process.env.BURROW_E2E_ROOTFS!;
export const imageTarball = () => process.env.BURROW_E2E_IMAGE_TAR!;

/**
 * Opens a view by its address (`new`, `machine/web/shell`) in a signed-in page: each test has its own
 * browser context, so the page first trades the printed token for the host's cookie.
 */
export async function openView(page: Page, view: string) {
  await page.goto(url());
  await page.goto(`${new URL(url()).origin}/#/${view}`);
}

export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(__dirname, 'artifacts/screenshots', `${name}.png`) });

/** The CLI against the web host's own configuration (the same machines the window shows). */
export function burrow(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, ...JSON.parse(process.env.BURROW_E2E_ENV ?? '{}') };
  return spawnSync(process.execPath, [path.join(__dirname, '..', 'bin', 'burrow'), ...args], { env, encoding: 'utf8' });
}

/**
 * No serious or critical axe violation on the page as it is now. A terminal's cells are left out: their
 * colours are the guest's output through the terminal's palette (renderer/terminals, its own theme work).
 */
export async function expectAccessible(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).exclude('.xterm').analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${label}: ${v.id} ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

/** A host port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const terminalText = (page: Page, kind: string) => page.getByTestId(`terminal-${kind}`).locator('.xterm-rows');
/** The machine's state as the header's chip carries it (data-state is the contract's state). */
export const machineState = (page: Page) => page.locator('.machine-head [data-state]');

/** The notification history, opened from the status bar (it keeps every notice of the session). */
export async function notifications(page: Page) {
  const toggle = page.getByRole('region', { name: 'Tasks and notifications' }).locator('.activity-toggle');
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  return page.getByRole('log', { name: 'Notifications' });
}

export async function closeNotifications(page: Page) {
  const toggle = page.getByRole('region', { name: 'Tasks and notifications' }).locator('.activity-toggle');
  if ((await toggle.getAttribute('aria-expanded')) === 'true') await toggle.click();
}

/** A notice arrived (it is in the history, whether or not the status bar still shows it). */
export async function expectNotice(page: Page, text: string | RegExp, timeout = 20_000) {
  await expect(await notifications(page)).toContainText(text, { timeout });
  await closeNotifications(page);
}

export const WIDTHS = [800, 1024, 1440] as const;
export const THEMES = ['light', 'dark'] as const;
