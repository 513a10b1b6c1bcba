// The window in Debian's Chromium against `burrow serve` and the real engine, as the unprivileged user.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import * as net from 'node:net';
import * as path from 'node:path';

const url = () => process.env.BURROW_E2E_URL!;
const rootfs = () => process.env.BURROW_E2E_ROOTFS!;
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(__dirname, 'artifacts/screenshots', `${name}.png`) });

async function expectAccessible(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${label}: ${v.id} ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

/** A host port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const terminalText = (page: Page, kind: string) => page.getByTestId(`terminal-${kind}`).locator('.xterm-rows');

test.describe.configure({ mode: 'serial' });

test('a newcomer creates, boots, uses and stops a machine from the window', async ({ page }) => {
  await page.goto(url());
  // The token was traded for a cookie: it is gone from the address bar (and so from the history).
  expect(new URL(page.url()).search).toBe('');
  await expect(page.getByRole('heading', { name: 'No machines yet' })).toBeVisible();
  await expect(page.getByText('Host check: ready')).toBeVisible();
  await expectAccessible(page, 'home');
  await shot(page, '01-home');

  await page.getByRole('button', { name: 'Create a machine' }).click();
  await page.getByLabel('Machine name').fill('web');
  await page.getByRole('radio', { name: 'a folder' }).check();
  await page.getByLabel('Rootfs folder').fill(rootfs());
  await expect(page.getByLabel('What the image holds')).toContainText('Debian GNU/Linux 12 (bookworm)');
  await expect(page.getByLabel('What the image holds')).toContainText('252');
  await expectAccessible(page, 'wizard rootfs');
  await shot(page, '02-wizard-rootfs');

  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('--unshare-pid')).toBeVisible();
  await shot(page, '03-wizard-namespaces');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('CAP_SYS_ADMIN')).toBeVisible();
  // The presets are the CLI's (--caps): the default is marked, and "Minimal for systemd" grants its list only.
  const presets = page.getByRole('group', { name: 'Capability presets' });
  await expect(presets.getByRole('button', { name: 'All but audit control' })).toHaveAttribute('aria-pressed', 'true');
  await presets.getByRole('button', { name: 'Minimal for systemd' }).click();
  await expect(page.getByRole('checkbox', { name: /CAP_SYS_MODULE/ })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: /CAP_SYS_ADMIN/ })).toBeChecked();
  await presets.getByRole('button', { name: 'All but audit control' }).click();
  await expect(page.getByRole('checkbox', { name: /CAP_SYS_MODULE/ })).toBeChecked();
  await expectAccessible(page, 'wizard capabilities');
  await shot(page, '04-wizard-capabilities');
  await page.getByRole('button', { name: 'Next' }).click();

  // A bad mount is refused inline, with the reason, and the machine cannot be created until it is fixed.
  await page.getByRole('button', { name: '+ tmpfs /var/tmp' }).click();
  const dest = page.getByLabel('Mount 7 destination');
  await dest.fill('var/tmp');
  await expect(page.getByRole('alert').filter({ hasText: 'must be an absolute path inside the machine' })).toBeVisible();
  await dest.fill('/var/tmp');
  await expect(page.getByText('must be an absolute path inside the machine')).toHaveCount(0);
  await shot(page, '05-wizard-mounts');
  await page.getByRole('button', { name: 'Next' }).click();

  // Network: nat by default; forward a free host port to apache's 80.
  await expect(page.getByRole('radio', { name: 'User-mode NAT (recommended)' })).toBeChecked();
  await page.getByRole('button', { name: '+ Web (80)' }).click();
  const hostPort = page.getByLabel('Forward 1 host port');
  await hostPort.fill('80');
  await expect(page.getByRole('alert').filter({ hasText: 'host port 80 is below 1024' })).toBeVisible();
  const port = await freePort();
  await hostPort.fill(String(port));
  await expect(page.getByText('is below 1024')).toHaveCount(0);
  await expectAccessible(page, 'wizard network');
  await shot(page, '06-wizard-network');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByLabel('cgroups found')).toContainText('hybrid');
  await page.getByLabel('Memory').fill('512M');
  await expect(page.getByRole('status').filter({ hasText: 'These limits will not be applied on this host' })).toBeVisible();
  await shot(page, '07-wizard-cgroups');
  await page.getByRole('button', { name: 'Next' }).click();
  const command = page.getByLabel('The exact command');
  await expect(command).toContainText('--unshare-cgroup');
  await expect(command).toContainText('--perms 1777 --tmpfs /var/tmp');
  await expect(page.getByLabel('Network step')).toContainText(`-t 127.0.0.1/${port}:80`);
  await shot(page, '08-wizard-review');
  await page.getByRole('button', { name: 'Create machine' }).click();

  await expect(page.getByRole('heading', { name: 'web', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.locator('.machine-head [data-state]')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await expect(page.getByRole('log', { name: 'Notifications' })).toContainText('web is ready');

  // The forwarded port: a link in the machine view, and apache's page behind it.
  const link = page.getByRole('group', { name: 'Network and resources' }).getByRole('link', { name: `127.0.0.1:${port} → 80/tcp` });
  await expect(link).toHaveAttribute('href', `http://127.0.0.1:${port}/`);
  expect(await (await page.request.get(`http://127.0.0.1:${port}/`)).text()).toContain('Apache2 Debian Default Page');
  await expect(page.getByRole('group', { name: 'Network and resources' })).toContainText(/memory [\d.]+ MiB/);

  // Console: PID 1's console, history replayed.
  await expect(terminalText(page, 'console')).toContainText('Started', { timeout: 20_000 });
  await shot(page, '09-console');

  // Shell: a command inside.
  await page.getByRole('tab', { name: 'Shell' }).click();
  const shell = page.getByTestId('terminal-shell');
  await expect(shell.locator('.xterm-rows')).toContainText('#', { timeout: 20_000 });
  await shell.click();
  await page.keyboard.type('echo burrow-$((6*7)) $(id -un)\n');
  await expect(shell.locator('.xterm-rows')).toContainText('burrow-42 root');
  await shot(page, '10-shell');

  // Journal: apache's lines.
  await page.getByRole('tab', { name: 'Journal' }).click();
  await page.getByLabel('Filter by unit').fill('apache2.service');
  await expect(page.getByRole('log', { name: 'Journal of web' })).toContainText('Started apache2.service');
  await shot(page, '11-journal');

  // Units: apache2 active, failed ones first.
  await page.getByRole('tab', { name: 'Units' }).click();
  const apache = page.getByRole('row').filter({ hasText: 'apache2.service' });
  await expect(apache).toContainText('active');
  await shot(page, '12-units');

  // Mounts: the live table read from the machine shows its cgroup file system.
  await page.getByRole('tab', { name: 'Mounts' }).click();
  await expect(page.getByRole('region', { name: 'Live mounts' })).toContainText('/sys/fs/cgroup/systemd');
  await expect(page.getByRole('region', { name: 'Planned mounts' })).toContainText('delegated name=systemd, writable');
  await expectAccessible(page, 'machine view');
  await shot(page, '13-mounts');

  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.locator('.machine-head [data-state]')).toHaveAttribute('data-state', 'exited', { timeout: 60_000 });
  await shot(page, '14-stopped');
});

test('the wizard works from the keyboard alone and refuses bad input inline', async ({ page }) => {
  await page.goto(url());
  await expect(page.getByRole('button', { name: 'web' })).toBeVisible();
  // Tab to "New machine" and open the wizard.
  for (let i = 0; i < 10 && !(await page.evaluate(() => document.activeElement?.textContent === 'New machine')); i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Machine name')).toBeFocused();
  await page.keyboard.type('Bad Name');
  await expect(page.getByText('use 1-63 lowercase letters')).toBeVisible();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('web');
  await expect(page.getByText('a machine named "web" already exists')).toBeVisible();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('keys');
  // "Start from": an image, or (arrow down) a folder.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('radio', { name: 'an image' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('radio', { name: 'a folder' })).toBeChecked();
  await page.keyboard.press('Tab');
  await page.keyboard.type('/nonexistent/rootfs');
  await expect(page.getByText('rootfs /nonexistent/rootfs does not exist')).toBeVisible();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(rootfs());
  await expect(page.getByLabel('What the image holds')).toContainText('Debian');
  // Next, Next, ... then Create: each reached by Tab and pressed with Enter.
  for (let step = 0; step < 7; step++) {
    const target = step < 6 ? 'Next' : 'Create machine';
    let found = false;
    for (let i = 0; i < 200 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate((t) => document.activeElement?.textContent === t && !(document.activeElement as HTMLButtonElement).disabled, target);
    }
    expect(found, `reached "${target}" with Tab`).toBe(true);
    await page.keyboard.press('Enter');
  }
  await expect(page.getByRole('heading', { name: 'keys', exact: true })).toBeFocused();
});

test('a lost connection shows a banner instead of a blank screen, then reconnects', async ({ page }) => {
  // Every socket to the host passes through this route, so the test can cut them as a network would.
  const sockets: { close(): Promise<void> }[] = [];
  let cut = false;
  await page.routeWebSocket(/\/api$/, (ws) => {
    if (cut) return void ws.close();
    ws.connectToServer();
    sockets.push(ws);
  });
  await page.goto(url());
  await expect(page.getByRole('button', { name: 'web' })).toBeVisible();
  cut = true;
  for (const ws of sockets) await ws.close();
  await expect(page.getByRole('alert').filter({ hasText: 'Lost the connection to the Burrow host' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'web' })).toBeVisible();
  await shot(page, '15-connection-lost');
  cut = false;
  await expect(page.getByRole('alert').filter({ hasText: 'Lost the connection' })).toHaveCount(0, { timeout: 15_000 });
});

test('a page without the token is told to open the printed URL, and does not retry forever', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const apiSockets: string[] = [];
  page.on('websocket', (ws) => apiSockets.push(ws.url()));
  await page.goto(new URL('/', url()).href);
  await expect(page.getByRole('alert').filter({ hasText: 'This page is not signed in to the Burrow host' })).toBeVisible();
  const tries = apiSockets.length;
  await page.waitForTimeout(2000);
  expect(apiSockets.length).toBe(tries);
  await context.close();
});

test('a newcomer with no image imports one in the window; the machine keeps it pristine', async ({ page }) => {
  await page.goto(url());
  await page.getByRole('button', { name: 'New machine' }).click();
  await page.getByLabel('Machine name').fill('fromimage');
  await expect(page.getByText('You have no images yet')).toBeVisible();
  await expectAccessible(page, 'wizard without images');

  // Building Debian can be cancelled, and nothing is kept.
  await page.getByLabel('Image name').fill('tobecancelled');
  await page.getByRole('button', { name: 'Build Debian image' }).click();
  await expect(page.getByRole('button', { name: 'Cancel', exact: true }).first()).toBeVisible();
  await page.locator('.job').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'cancelled; nothing was kept' })).toBeVisible({ timeout: 30_000 });

  // Importing a tarball shows progress, then the image is chosen, kept pristine by default.
  await page.getByLabel('Image name').fill('deb12');
  await page.getByLabel('Tarball, OCI image, docker save archive or rootfs folder').fill(process.env.BURROW_E2E_IMAGE_TAR!);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByLabel('Image', { exact: true })).toHaveValue('deb12', { timeout: 60_000 });
  await expect(page.getByRole('radio', { name: 'Keep changes apart (recommended)' })).toBeChecked();
  await shot(page, '16-wizard-image');
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByLabel('The exact command')).toContainText('mount -t overlay');
  await page.getByRole('button', { name: 'Create machine' }).click();
  await expect(page.getByRole('heading', { name: 'fromimage', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.locator('.machine-head [data-state]')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.locator('.machine-head [data-state]')).toHaveAttribute('data-state', 'exited', { timeout: 60_000 });
  // Booting wrote to the machine's own layer (its journal, at least): Reset discards it.
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Reset to image' }).click();
  await expect(page.getByRole('log', { name: 'Notifications' })).toContainText('fromimage is back to its image.');

  // The image in the sidebar: what it holds, who uses it; it cannot be deleted while a machine does.
  await page.getByRole('navigation', { name: 'Images' }).getByRole('button', { name: /^deb12/ }).click();
  const facts = page.getByLabel('What the image holds');
  await expect(facts).toContainText('Debian GNU/Linux 12 (bookworm)');
  await expect(facts).toContainText('fromimage');
  await expect(page.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await expectAccessible(page, 'image view');
  await shot(page, '17-image');
  await page.getByRole('button', { name: 'New machine from this image' }).click();
  await expect(page.getByLabel('Image', { exact: true })).toHaveValue('deb12');
});

test('a snapshot taken in the window brings the machine back in one click', async ({ page }) => {
  await page.goto(url());
  await page.getByRole('navigation', { name: 'Machines' }).getByRole('button', { name: /^fromimage/ }).click();
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.locator('.machine-head [data-state]')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });

  // Taken while it runs: the machine is paused a moment, the snapshot appears on the timeline with its label.
  await page.getByRole('tab', { name: 'Snapshots' }).click();
  await page.getByLabel('Label').fill('before the change');
  await page.getByRole('button', { name: 'Take snapshot' }).click();
  await expect(page.getByRole('log', { name: 'Notifications' })).toContainText('Snapshot fromimage@1 taken');
  const timeline = page.getByRole('list', { name: 'Snapshots of fromimage' });
  await expect(timeline.getByRole('listitem')).toHaveCount(1);
  await expect(timeline).toContainText('before the change');

  // A change after the snapshot, from the Shell tab.
  await page.getByRole('tab', { name: 'Shell' }).click();
  const shell = page.getByTestId('terminal-shell');
  await expect(shell.locator('.xterm-rows')).toContainText('#', { timeout: 20_000 });
  await shell.click();
  await page.keyboard.type('touch /root/after-the-snapshot && ls /root\n');
  await expect(shell.locator('.xterm-rows')).toContainText('after-the-snapshot');

  // Restore asks first, in the window, and says the running machine is stopped first.
  await page.getByRole('tab', { name: 'Snapshots' }).click();
  await timeline.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByRole('alertdialog')).toContainText('fromimage is stopped first');
  await expectAccessible(page, 'snapshot timeline');
  await shot(page, '18-snapshots');
  await page.getByRole('button', { name: 'Stop and restore' }).click();
  await expect(page.getByRole('log', { name: 'Notifications' })).toContainText('fromimage is back at snapshot 1 (it was stopped first).', { timeout: 60_000 });
  await expect(page.locator('.machine-head [data-state]')).toHaveAttribute('data-state', 'exited');

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.locator('.machine-head [data-state]')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await page.getByRole('tab', { name: 'Shell' }).click();
  const again = page.getByTestId('terminal-shell');
  await expect(again.locator('.xterm-rows')).toContainText('#', { timeout: 20_000 });
  await again.click();
  await page.keyboard.type('test -e /root/after-the-snapshot && echo still-there || echo restored-ok\n');
  await expect(again.locator('.xterm-rows')).toContainText('restored-ok');
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.locator('.machine-head [data-state]')).toHaveAttribute('data-state', 'exited', { timeout: 60_000 });
});
