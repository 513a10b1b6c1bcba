// Terminals, units and what is left after a stop, in Debian's Chromium against `burrow serve` (issue 16,
// items 3, 4 and 6). The machine is made and started with the CLI: these views, not the wizard, are tested.
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const MACHINE = 'consoles';
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(__dirname, 'artifacts/screenshots', `${name}.png`) });
const burrow = (...args: string[]) => {
  const env = { ...process.env, ...JSON.parse(process.env.BURROW_E2E_ENV ?? '{}') };
  return spawnSync(process.execPath, [path.join(__dirname, '..', 'bin', 'burrow'), ...args], { env, encoding: 'utf8' });
};
const rows = (page: Page, kind: string) => page.getByTestId(`terminal-${kind}`).locator('.xterm-rows');

test.describe.configure({ mode: 'serial' });

test.beforeAll(() => {
  const made = burrow('create', MACHINE, '--rootfs', process.env.BURROW_E2E_ROOTFS!, '--network', 'isolated');
  expect(made.status, made.stderr).toBe(0);
  const started = burrow('start', MACHINE);
  expect(started.status, started.stderr).toBe(0);
});

test.afterAll(() => {
  burrow('kill', MACHINE);
  burrow('rm', MACHINE);
});

async function openMachine(page: Page, tab: string): Promise<void> {
  await page.goto(process.env.BURROW_E2E_URL!);
  await page
    .getByRole('navigation', { name: 'Machines' })
    .getByRole('button', { name: new RegExp(`^${MACHINE}\\b`) })
    .click();
  await page.getByRole('tab', { name: tab }).click();
}

test('a shell tab has the size of its pane from the first byte', async ({ page }) => {
  await openMachine(page, 'Shell');
  const shell = page.getByTestId('terminal-shell');
  await expect(rows(page, 'shell')).toContainText('#', { timeout: 20_000 });
  await shell.click();
  await page.keyboard.type('stty size\n');
  await expect(rows(page, 'shell')).toContainText(/\d+ \d+/);
  const [sttyRows, sttyCols] = (/(\d+) (\d+)/.exec((await rows(page, 'shell').innerText()).split('stty size')[1]!) ?? []).slice(1).map(Number);
  // The pty was made at the size xterm shows (before: 24 80 until the window was resized).
  expect(sttyRows).toBe(await rows(page, 'shell').locator(':scope > div').count());
  expect(sttyCols).toBeGreaterThan(80);
  expect(sttyRows).toBeGreaterThan(24);
  await shot(page, '20-shell-fits');
});

test('terminals follow the theme when it changes', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await openMachine(page, 'Console');
  // xterm 6 paints the theme's background on its scrollable element.
  const viewport = page.getByTestId('terminal-console').locator('.xterm-scrollable-element');
  await expect(viewport).toHaveCSS('background-color', 'rgb(251, 251, 250)');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(viewport).toHaveCSS('background-color', 'rgb(21, 23, 26)');
  await expect(page.getByTestId('terminal-console')).toHaveCSS('background-color', 'rgb(21, 23, 26)');
  await shot(page, '21-console-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(viewport).toHaveCSS('background-color', 'rgb(251, 251, 250)');
});

test('the console offers a login, and says where to go when nobody can log in', async ({ page }) => {
  await openMachine(page, 'Console');
  await expect(rows(page, 'console')).toContainText(/login: *$/m, { timeout: 20_000 });
  const hint = page.getByRole('note').filter({ hasText: 'nobody can log in on this console' });
  await expect(hint).toContainText(`burrow shell ${MACHINE} -- passwd`);
  await hint.getByRole('button', { name: 'Open a shell' }).click();
  await expect(page.getByRole('tab', { name: 'Shell' })).toHaveAttribute('aria-selected', 'true');
});

test('copy and paste through the right-click menu', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openMachine(page, 'Shell');
  const shell = page.getByTestId('terminal-shell');
  await expect(rows(page, 'shell')).toContainText('#', { timeout: 20_000 });
  await shell.click();
  await page.keyboard.type('echo copy-me-$((40+2))\n');
  await expect(rows(page, 'shell')).toContainText('copy-me-42');

  await shell.click({ button: 'right' });
  const menu = page.getByRole('menu', { name: /menu$/ });
  await expect(menu.getByRole('menuitem', { name: /Copy/ })).toBeDisabled(); // nothing selected yet
  await menu.getByRole('menuitem', { name: 'Select all' }).click();
  await shell.click({ button: 'right' });
  await shot(page, '22-terminal-menu');
  await menu.getByRole('menuitem', { name: /Copy/ }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain('copy-me-42');

  await page.evaluate(() => navigator.clipboard.writeText('echo pasted-$((2+3))'));
  await shell.click({ button: 'right' });
  await menu.getByRole('menuitem', { name: /Paste/ }).click();
  await page.keyboard.press('Enter');
  await expect(rows(page, 'shell')).toContainText('pasted-5');

  // Clear empties the screen; Escape closes the menu without doing anything.
  await shell.click({ button: 'right' });
  await page.keyboard.press('Escape');
  await expect(menu).toHaveCount(0);
  await shell.click({ button: 'right' });
  await menu.getByRole('menuitem', { name: 'Clear' }).click();
  await expect(rows(page, 'shell')).not.toContainText('copy-me-42');
});

test('units by type, failed first, with a filter, actions that fit and a result for each', async ({ page }) => {
  await page.setViewportSize({ width: 900, height: 820 });
  await openMachine(page, 'Units');
  const types = page.getByRole('group', { name: 'Unit types' });
  await expect(types.getByRole('button', { name: /^Services/ })).toHaveAttribute('aria-pressed', 'true');
  const table = page.getByRole('table', { name: `Services of ${MACHINE}` });
  await expect(table).toContainText('apache2.service');
  // Every column fits at 900 px: the Actions column is inside the table's visible area.
  const wrap = await page.getByRole('group', { name: 'Unit table' }).boundingBox();
  const actionsHeader = await table.getByRole('columnheader', { name: 'Actions' }).boundingBox();
  expect(actionsHeader!.x + actionsHeader!.width).toBeLessThanOrEqual(wrap!.x + wrap!.width + 1);

  await page.getByLabel('Filter units').fill('apache2');
  const apache = table.getByRole('row').filter({ hasText: 'apache2.service' });
  await expect(apache.getByRole('button', { name: 'Restart apache2.service' })).toBeVisible();
  await expect(apache.getByRole('button', { name: 'Start apache2.service', exact: true })).toHaveCount(0); // running: no Start
  await apache.getByRole('button', { name: 'Restart apache2.service' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restart apache2.service' })).toContainText('restarted: now active (running)', { timeout: 30_000 });
  await shot(page, '23-units-900');

  await page.getByLabel('Filter units').fill('no-such-unit-anywhere');
  await expect(table).toContainText('No matches: no services matching "no-such-unit-anywhere".');

  // The root mount cannot be stopped: it offers no action at all.
  await page.getByLabel('Filter units').fill('');
  await types.getByRole('button', { name: /^Mounts/ }).click();
  const root = page
    .getByRole('table', { name: `Mounts of ${MACHINE}` })
    .getByRole('row')
    .filter({ has: page.getByRole('button', { name: '-.mount', exact: true }) });
  await expect(root).toContainText('active');
  await expect(root.getByRole('button', { name: /^Stop/ })).toHaveCount(0);

  // A failed action says why, in systemd's words: a unit (under /run: gone at the stop) whose start fails.
  const unit = '[Unit]\nDescription=Fails when started\n[Service]\nType=oneshot\nExecStart=/bin/false\n';
  const made = burrow('shell', MACHINE, '--', 'sh', '-c', `printf '${unit}' > /run/systemd/system/burrow-fails.service && systemctl daemon-reload`);
  expect(made.status, made.stderr).toBe(0);
  await types.getByRole('button', { name: /^Services/ }).click();
  await page.getByLabel('Filter units').fill('burrow-fails');
  const failing = table.getByRole('row').filter({ hasText: 'burrow-fails.service' });
  await failing.getByRole('button', { name: 'Start burrow-fails.service', exact: true }).click({ timeout: 10_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Start burrow-fails.service' })).toContainText(
    '✗ Start burrow-fails.service: Job for burrow-fails.service failed',
  );
  await expect(failing).toContainText('failed');

  // A unit's page: its status as systemctl prints it, its journal, its actions with their results.
  await page.getByLabel('Show units in state').selectOption('active');
  await page.getByLabel('Filter units').fill('apache2');
  await apache.getByRole('button', { name: 'apache2.service', exact: true }).click();
  const unitPage = page.getByRole('region', { name: 'Unit apache2.service' });
  await expect(unitPage.getByRole('region', { name: 'Status' })).toContainText('Active: active (running)');
  await expect(unitPage.getByRole('region', { name: 'Journal' })).toContainText(/Start(ed|ing) apache2\.service/);
  await unitPage.getByRole('button', { name: 'Stop apache2.service' }).click();
  await expect(unitPage.getByRole('status')).toContainText('apache2.service stopped: now inactive (dead)', { timeout: 30_000 });
  await expect(unitPage.getByRole('button', { name: 'Start apache2.service', exact: true })).toBeVisible();
  await unitPage.getByRole('button', { name: 'Start apache2.service', exact: true }).click();
  await expect(unitPage.getByRole('status')).toContainText('apache2.service started: now active (running)', { timeout: 30_000 });
  await shot(page, '24-unit-page');
  await unitPage.getByRole('button', { name: '← All units' }).click();
  await expect(table).toBeVisible();
});

test("after a stop, the journal and the last boot's console stay readable, with why it stopped", async ({ page }) => {
  await openMachine(page, 'Journal');
  const stopped = burrow('stop', MACHINE);
  expect(stopped.status, stopped.stderr).toBe(0);
  await expect(page.getByText(`${MACHINE} is not running: this is its journal as it left it`)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('log', { name: `Journal of ${MACHINE}` })).toContainText('Journal stopped', { timeout: 20_000 });
  await shot(page, '25-journal-after-stop');

  await page.getByRole('tab', { name: 'Console' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'ended at' })).toContainText('stopped on request (exit 130)');
  await expect(rows(page, 'console')).toContainText('Halting system');
  await shot(page, '26-console-after-stop');
  await page.getByRole('tab', { name: 'Units' }).click();
  await expect(page.getByText(`Units are listed and managed while ${MACHINE} runs`)).toBeVisible();
});
