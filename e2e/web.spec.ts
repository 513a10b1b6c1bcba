// The window in Debian's Chromium against `burrow serve` and the real engine, as the unprivileged user: the
// newcomer's path from an image to a shell, every mistake explained at its field, states and destructive
// actions, pending changes, the task area, addresses that survive a reload, and the signed-out page.
import { expect, test } from '@playwright/test';
import {
  burrow,
  expectAccessible,
  expectNotice,
  freePort,
  imageTarball,
  machineState,
  notifications,
  openView,
  rootfs,
  shot,
  terminalText,
  url,
} from './helpers';

test.describe.configure({ mode: 'serial' });

test('a newcomer gets from an image to a running machine with a shell in under a minute', async ({ page }) => {
  await page.goto(url());
  // The token was traded for a cookie: it is gone from the address bar (and so from the history).
  expect(new URL(page.url()).search).toBe('');
  await expect(page.getByRole('heading', { name: 'No machines yet' })).toBeVisible();
  await expect(page.getByText('Host check: ready')).toBeVisible();
  // A browser cannot give a host path for a dropped folder: the web build does not offer it.
  await expect(page.getByText(/drop a rootfs folder/i)).toHaveCount(0);
  await shot(page, '01-home');

  const t0 = Date.now();
  await page.getByRole('button', { name: 'Create a machine' }).click();
  await expect(page).toHaveURL(/#\/new$/);
  // Nothing is red before anything was typed, and nothing about namespaces stands in the way.
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByText('--unshare-pid')).toHaveCount(0);
  await expect(page.getByText('You have no images yet')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create and start' })).toBeDisabled();

  // The one thing a newcomer brings: an image file. Its name and the machine's follow from it.
  await page.getByLabel('Image name').fill('deb12');
  await page.getByLabel('Tarball, OCI image, docker save archive or rootfs folder').fill(imageTarball());
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByLabel('Image', { exact: true })).toHaveValue('deb12', { timeout: 60_000 });
  await expect(page.getByLabel('Machine name')).toHaveValue('deb12');
  await shot(page, '02-wizard-basics');
  await page.getByRole('button', { name: 'Create and start' }).click();

  await expect(page).toHaveURL(/#\/machine\/deb12$/);
  await expect(machineState(page)).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await expect(terminalText(page, 'console')).toContainText('Started', { timeout: 20_000 });
  await page.getByRole('tab', { name: 'Shell' }).click();
  const shell = page.getByTestId('terminal-shell');
  await expect(shell.locator('.xterm-rows')).toContainText('#', { timeout: 20_000 });
  await shell.click();
  await page.keyboard.type('echo burrow-$((6*7)) $(id -un)\n');
  await expect(shell.locator('.xterm-rows')).toContainText('burrow-42 root');
  const elapsed = Date.now() - t0;
  expect(elapsed, `from "Create a machine" to a shell: ${elapsed} ms`).toBeLessThan(60_000);
  test.info().annotations.push({ type: 'image to shell', description: `${(elapsed / 1000).toFixed(1)} s` });
  await expectNotice(page, 'Image deb12 is ready.');
  await expectNotice(page, 'deb12 is ready');
  await shot(page, '03-shell');
});

test('every mistake is explained at its field as it is typed, and the step that holds it is marked', async ({ page }) => {
  await openView(page, 'new');
  const name = page.getByLabel('Machine name');
  // The newest image and a free name are chosen for you.
  await expect(page.getByLabel('Image', { exact: true })).toHaveValue('deb12');
  await expect(name).toHaveValue('deb12-2');
  const steps = page.getByRole('navigation', { name: 'Steps' });
  const create = page.getByRole('button', { name: 'Create and start' });

  await name.fill('My Machine!');
  await expect(page.getByText('Use 1-63 lowercase letters, digits, "-" or "_", starting with a letter or digit: "my-machine" would do.')).toBeVisible();
  await expect(steps.getByRole('button', { name: /Basics/ })).toContainText('!');
  await expect(create).toBeDisabled();
  // One message at the name, never a second one about a hostname field nobody sees.
  await expect(page.getByText(/hostname:/i)).toHaveCount(0);
  await name.fill('deb12');
  await expect(page.getByText('A machine named "deb12" already exists: "deb12-2" is free.')).toBeVisible();
  await name.fill('');
  await expect(page.getByText('Give the machine a name.')).toBeVisible();
  await name.fill('web');
  await expect(steps.getByRole('button', { name: /Basics/ })).not.toContainText('!');

  // A new image's name is checked at its field: never "invalid arguments for images.import: 0.name".
  await page.getByRole('button', { name: 'New image…' }).click();
  await page.getByLabel('Image name').fill('Not An Image');
  await expect(page.getByText('"not-an-image" would do.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();
  await expect(page.getByText('invalid arguments')).toHaveCount(0);

  // Network: a port this user cannot bind is refused at the field, with one that works.
  await page
    .getByRole('button', { name: /^Network/ })
    .first()
    .click();
  await expect(page).toHaveURL(/#\/new\/network$/);
  await expect(page.getByText('What this changes:')).toBeVisible();
  await page.getByRole('button', { name: '+ Web (80)' }).click();
  const hostPort = page.getByLabel('Forward 1 host port');
  await hostPort.fill('80');
  await expect(
    page.getByRole('alert').filter({ hasText: 'Host port 80 is below 1024, the lowest port you may use on this host: 8080 would do.' }),
  ).toBeVisible();
  await expect(steps.getByRole('button', { name: /Network/ })).toContainText('!');
  await expect(create).toBeDisabled();
  await shot(page, '04-wizard-network-error');
  const port = await freePort();
  await hostPort.fill(String(port));
  await expect(page.getByText('is below 1024')).toHaveCount(0);

  // Mounts: a relative destination, said at its cell.
  await steps.getByRole('button', { name: 'Mounts' }).click();
  await page.getByRole('button', { name: '+ tmpfs /var/tmp' }).click();
  await page.getByLabel('Mount 7 destination').fill('var/tmp');
  await expect(page.getByRole('alert').filter({ hasText: 'Must be an absolute path inside the machine' })).toBeVisible();
  await expect(steps.getByRole('button', { name: /Mounts/ })).toContainText('!');
  await page.getByLabel('Mount 7 destination').fill('/var/tmp');

  // Limits: what this host cannot apply is said at the field, before Review.
  await steps.getByRole('button', { name: 'Limits' }).click();
  await page.getByLabel('Memory').fill('10M');
  await expect(page.getByRole('alert').filter({ hasText: 'Memory must be at least 32M' })).toBeVisible();
  await page.getByLabel('Memory').fill('512M');
  await expect(page.getByText('Not applied on this host:')).toBeVisible();

  // Review: the summary first, then the exact command.
  await page.getByRole('button', { name: 'Review', exact: true }).first().click();
  const summary = page.getByRole('definition').filter({ hasText: 'memory 512M' });
  await expect(page.getByLabel('Summary')).toContainText('web');
  await expect(page.getByLabel('Summary')).toContainText('image deb12: Debian GNU/Linux 12 (bookworm), systemd 252');
  await expect(page.getByLabel('Summary')).toContainText('Keep changes apart');
  await expect(page.getByLabel('Summary')).toContainText(`NAT: 127.0.0.1:${port} → 80/tcp`);
  await expect(summary).toContainText('not applied on this host');
  await expect(page.getByLabel('The exact command')).toContainText('--perms 1777 --tmpfs /var/tmp');
  await expect(page.getByLabel('Network step')).toContainText(`-t 127.0.0.1/${port}:80`);
  await expectAccessible(page, 'wizard review');
  await shot(page, '05-wizard-review');
  await create.click();

  await expect(machineState(page)).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  const facts = page.getByRole('group', { name: 'Network and resources' });
  const link = facts.getByRole('link', { name: `127.0.0.1:${port} → 80/tcp` });
  await expect(link).toHaveAttribute('href', `http://127.0.0.1:${port}/`);
  expect(await (await page.request.get(`http://127.0.0.1:${port}/`)).text()).toContain('Apache2 Debian Default Page');
  // Asked-for limits and "not applied" are one phrase, never a contradiction side by side.
  await expect(facts).toContainText('limits memory 512M (not applied on this host)');
});

test('a change to a running machine shows as pending until the restart that applies it', async ({ page }) => {
  await openView(page, 'machine/web');
  await expect(machineState(page)).toHaveAttribute('data-state', 'running');
  await page.getByRole('button', { name: 'Edit' }).click();
  await expect(page).toHaveURL(/#\/machine\/web\/edit$/);
  await page
    .getByRole('button', { name: /^Network/ })
    .first()
    .click();
  const second = await freePort();
  await page.getByRole('button', { name: '+ Another port' }).click();
  await page.getByLabel('Forward 2 host port').fill(String(second));
  await expect(page.getByRole('status').filter({ hasText: 'takes the changes when it next starts' })).toBeVisible();
  await page.getByRole('button', { name: 'Save changes' }).click();

  const facts = page.getByRole('group', { name: 'Network and resources' });
  // Nothing listens on the new forward yet: it is not a link, and says when it will be one.
  await expect(facts).toContainText(`127.0.0.1:${second} → 8000/tcp (after restart)`);
  await expect(facts.getByRole('link', { name: new RegExp(`:${second} `) })).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Saved changes to network apply when web next starts.' })).toBeVisible();
  await shot(page, '06-pending');
  await page.getByRole('button', { name: 'Restart now' }).click();
  await expect(facts.getByRole('link', { name: `127.0.0.1:${second} → 8000/tcp` })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText('apply when web next starts')).toHaveCount(0);
});

test('one word for each state in the window, the CLI and notifications; destructive actions ask first, in the window', async ({ page }) => {
  await openView(page, 'machine/web');
  await expect(machineState(page)).toHaveAttribute('data-state', 'running');
  page.on('dialog', (d) => {
    throw new Error(`a browser dialog was opened: ${d.message()}`);
  });
  const more = page.getByRole('button', { name: 'More actions' });
  await more.click();
  await expect(page.getByRole('menuitem', { name: /Delete…/ })).toHaveAttribute('aria-disabled', 'true');
  await page.getByRole('menuitem', { name: /Kill…/ }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Kill web?' });
  await expect(dialog).toContainText('without a clean shutdown');
  await expectAccessible(page, 'kill confirmation');
  await shot(page, '07-confirm-kill');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(machineState(page)).toHaveAttribute('data-state', 'running');

  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(machineState(page)).toHaveAttribute('data-state', 'exited', { timeout: 60_000 });
  await expect(machineState(page)).toHaveText('stopped');
  await expect(page.getByRole('navigation', { name: 'Machines' }).getByRole('button', { name: /^web/ })).toContainText('stopped');
  await expectNotice(page, /web stopped$/m);
  expect(burrow('ls').stdout).toMatch(/^web\s+stopped\s/m);
  // Start sits where Stop was; Restart stays in its place, disabled.
  await expect(page.getByRole('button', { name: 'Start', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Restart' })).toBeDisabled();

  await more.click();
  await page.getByRole('menuitem', { name: /Delete…/ }).click();
  const del = page.getByRole('alertdialog', { name: 'Delete web?' });
  await expect(del).toContainText('its settings');
  await expect(del).toContainText('Kept: the image deb12');
  await del.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('navigation', { name: 'Machines' }).getByRole('button', { name: /^web/ })).toHaveCount(0);
});

test('long work stays in the task area wherever you go, and leaving the wizard during a build asks first', async ({ page }) => {
  await openView(page, 'new');
  await page.getByRole('button', { name: 'New image…' }).click();
  await page.getByLabel('Image name').fill('tobecancelled');
  await page.getByRole('button', { name: 'Build Debian image' }).click();
  const bar = page.getByRole('region', { name: 'Tasks and notifications' });
  await expect(bar.getByRole('status', { name: 'Task at work' })).toContainText('Building Debian image tobecancelled');
  // The wizard's own Cancel (the build's Cancel beside its progress, and the task area's, stop the build).
  await page.getByRole('region', { name: 'New machine' }).getByRole('button', { name: 'Cancel', exact: true }).last().click();
  const asking = page.getByRole('alertdialog', { name: 'Image tobecancelled is still being made' });
  await expect(asking).toBeVisible();
  await shot(page, '08-leave-during-build');
  await asking.getByRole('button', { name: 'Keep making it' }).click();
  await expect(page).toHaveURL(/#\/$/);
  // Still at work, and still listed after a reload (the host lists its jobs to a new page).
  await page.reload();
  await expect(bar.getByRole('status', { name: 'Task at work' })).toContainText('Building Debian image tobecancelled');
  await (await notifications(page)).isVisible();
  await expect(page.getByRole('region', { name: 'Tasks', exact: true }).getByRole('listitem')).toContainText('tobecancelled');
  await shot(page, '09-task-area');
  await page.getByRole('region', { name: 'Tasks', exact: true }).getByRole('button', { name: 'Cancel' }).click();
  await expect(await notifications(page)).toContainText('Debian image tobecancelled was cancelled; nothing was kept.', { timeout: 30_000 });
  await expect(bar.getByRole('status', { name: 'Task at work' })).toHaveCount(0);
});

test('each view has an address that survives a reload', async ({ page }) => {
  await openView(page, 'machine/deb12/journal');
  await expect(page.getByRole('tab', { name: 'Journal' })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('tab', { name: 'Shell' }).click();
  await expect(page).toHaveURL(/#\/machine\/deb12\/shell$/);
  await page.reload();
  await expect(page.getByRole('tab', { name: 'Shell' })).toHaveAttribute('aria-selected', 'true');

  // A wizard step, with what was typed.
  await page.getByRole('button', { name: 'New machine' }).click();
  await page.getByLabel('Machine name').fill('kept-over-reload');
  await page
    .getByRole('button', { name: /^Limits/ })
    .first()
    .click();
  await expect(page).toHaveURL(/#\/new\/limits$/);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Limits' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: 'Basics' }).click();
  await expect(page.getByLabel('Machine name')).toHaveValue('kept-over-reload');
  // Back goes where the user was before the wizard.
  await page.goBack();
  await expect(page).toHaveURL(/#\/machine\/deb12\/shell$/);
  await openView(page, 'machine/no-such-machine');
  await expect(page.getByText('There is no machine named no-such-machine.')).toBeVisible();
});

test('the wizard works from the keyboard alone', async ({ page }) => {
  await page.goto(url());
  await expect(page.getByRole('navigation', { name: 'Machines' }).getByRole('button', { name: /^deb12/ })).toBeVisible();
  for (let i = 0; i < 12 && !(await page.evaluate(() => document.activeElement?.textContent === 'New machine')); i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Machine name')).toBeFocused();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('keys');
  // "Start from": an image, or (arrow down) a folder.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('radio', { name: 'an image' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('radio', { name: 'a folder' })).toBeChecked();
  await page.keyboard.press('Tab');
  await page.keyboard.type('/nonexistent/rootfs');
  // Said at the field (the bar at the bottom repeats it beside Create and start).
  await expect(page.getByRole('alert').filter({ hasText: 'rootfs /nonexistent/rootfs does not exist' })).toBeVisible();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(rootfs());
  await expect(page.getByLabel('What the image holds')).toContainText('Debian');
  let found = false;
  for (let i = 0; i < 60 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement?.textContent === 'Create and start' && !(document.activeElement as HTMLButtonElement).disabled);
  }
  expect(found, 'reached an enabled "Create and start" with Tab').toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'keys', exact: true })).toBeFocused();
  await expect(machineState(page)).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  expect(burrow('kill', 'keys').stdout.trim()).toBe('keys stopped (killed)');
  await expect(machineState(page)).toHaveText('stopped', { timeout: 20_000 });
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
  await expect(page.getByRole('navigation', { name: 'Machines' }).getByRole('button', { name: /^deb12/ })).toBeVisible();
  cut = true;
  for (const ws of sockets) await ws.close();
  await expect(page.getByRole('alert').filter({ hasText: 'Lost the connection to the Burrow host' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Machines' }).getByRole('button', { name: /^deb12/ })).toBeVisible();
  await shot(page, '10-connection-lost');
  cut = false;
  await expect(page.getByRole('alert').filter({ hasText: 'Lost the connection' })).toHaveCount(0, { timeout: 15_000 });
});

test('a page without the token gets a page that says what to do, and stops asking', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const apiSockets: string[] = [];
  page.on('websocket', (ws) => apiSockets.push(ws.url()));
  await page.goto(`${new URL(url()).origin}/#/machine/deb12`);
  await expect(page.getByRole('heading', { name: 'This page is not signed in to Burrow' })).toBeVisible();
  // Not a banner over a false "No machines yet".
  await expect(page.getByText('No machines yet')).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Machines' })).toHaveCount(0);
  await expectAccessible(page, 'signed out');
  await shot(page, '11-signed-out');
  const tries = apiSockets.length;
  await page.waitForTimeout(2000);
  expect(apiSockets.length).toBe(tries);
  // An old token gets the host's own refusal, which says the same.
  const old = await page.goto(`${new URL(url()).origin}/?token=${'0'.repeat(43)}`);
  expect(old?.status()).toBe(403);
  await expect(page.locator('body')).toContainText('open the URL that burrow serve printed');
  await context.close();
});

test('a snapshot taken in the window brings the machine back in one click; Reset asks in the window', async ({ page }) => {
  await openView(page, 'machine/deb12/snapshots');
  await expect(machineState(page)).toHaveAttribute('data-state', 'running');

  // Taken while it runs: the machine is paused a moment, the snapshot appears on the timeline with its label.
  await page.getByLabel('Label').fill('before the change');
  await page.getByRole('button', { name: 'Take snapshot' }).click();
  await expectNotice(page, 'Snapshot deb12@1 taken');
  const timeline = page.getByRole('list', { name: 'Snapshots of deb12' });
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
  await expect(page.getByRole('alertdialog')).toContainText('deb12 is stopped first');
  await page.getByRole('button', { name: 'Stop and restore' }).click();
  await expectNotice(page, 'deb12 is back at snapshot 1 (it was stopped first).', 60_000);
  await expect(machineState(page)).toHaveAttribute('data-state', 'exited');

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(machineState(page)).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await page.getByRole('tab', { name: 'Shell' }).click();
  const again = page.getByTestId('terminal-shell');
  await expect(again.locator('.xterm-rows')).toContainText('#', { timeout: 20_000 });
  await again.click();
  await page.keyboard.type('test -e /root/after-the-snapshot && echo still-there || echo restored-ok\n');
  await expect(again.locator('.xterm-rows')).toContainText('restored-ok');
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(machineState(page)).toHaveAttribute('data-state', 'exited', { timeout: 60_000 });

  // Reset names what it discards and what it keeps, in the window.
  await page.getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menuitem', { name: /Reset to image…/ }).click();
  const reset = page.getByRole('alertdialog', { name: 'Reset deb12 to its image?' });
  await expect(reset).toContainText('installed packages');
  await expect(reset).toContainText('its 1 snapshot');
  await reset.getByRole('button', { name: 'Reset' }).click();
  await expectNotice(page, 'deb12 is back to its image.');
});

test('an image shows what it holds and who uses it, and cannot be deleted while used', async ({ page }) => {
  await page.goto(url());
  await page
    .getByRole('navigation', { name: 'Images' })
    .getByRole('button', { name: /^deb12/ })
    .click();
  await expect(page).toHaveURL(/#\/image\/deb12$/);
  const facts = page.getByLabel('What the image holds');
  await expect(facts).toContainText('Debian GNU/Linux 12 (bookworm)');
  await expect(facts).toContainText('deb12');
  await expect(page.getByRole('button', { name: 'Delete…' })).toBeDisabled();
  await expectAccessible(page, 'image view');
  await shot(page, '12-image');
  await page.getByRole('button', { name: 'New machine from this image' }).click();
  await expect(page.getByLabel('Image', { exact: true })).toHaveValue('deb12');
});
