// The desktop app itself, where the Electron runtime and a display exist (this build machine has
// neither: the runtime cannot be downloaded here, so this spec has never run): launch Electron, create and
// boot the test image, get a shell, copy and paste through the clipboard (the permission handlers must
// grant exactly that), see the page served from burrow://app under its CSP, and quit.
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
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
const display = process.env.DISPLAY || process.env.WAYLAND_DISPLAY;
test.skip(
  !binary || !display,
  !binary
    ? 'Electron runtime not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1 here): run npx electron install, then this spec'
    : 'no display: run it in a desktop session or under xvfb-run',
);

const clipboard = (app: ElectronApplication) => app.evaluate(({ clipboard: c }) => c.readText());
const typeIn = async (page: Page, terminal: string, text: string) => {
  await page.getByTestId(terminal).click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
};

test('the desktop window boots a machine, opens a shell, and copies and pastes', async () => {
  const app = await electron.launch({
    executablePath: binary,
    args: [path.join(__dirname, '..', 'dist', 'main.js')],
    env: { ...process.env, ...JSON.parse(process.env.BURROW_E2E_ENV ?? '{}') },
  });
  try {
    const page = await app.firstWindow();
    expect(page.url()).toBe('burrow://app/index.html');
    await expect(page.getByRole('button', { name: 'New machine' })).toBeVisible();
    // Sandboxed, isolated, no Node: the page sees only the frozen contract object, under our CSP.
    expect(
      await page.evaluate(() => [
        typeof (window as unknown as { require?: unknown }).require,
        typeof (globalThis as { process?: unknown }).process,
        Object.isFrozen(window.burrow),
      ]),
    ).toEqual(['undefined', 'undefined', true]);
    expect(await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'))).toMatch(
      /script-src 'self'/,
    );
    expect(
      await page.evaluate(() =>
        fetch('file:///etc/hostname').then(
          () => 'read',
          () => 'refused',
        ),
      ),
    ).toBe('refused');

    await page.getByRole('button', { name: 'New machine' }).click();
    await page.getByLabel('Machine name').fill('desk');
    await page.getByRole('radio', { name: 'a folder' }).check();
    await page.getByLabel('Rootfs folder').fill(process.env.BURROW_E2E_ROOTFS!);
    await expect(page.getByLabel('What the image holds')).toContainText('Debian');
    for (let i = 0; i < 6; i++) await page.getByRole('button', { name: 'Next' }).click();
    // The review's Copy button writes the command line (clipboard-sanitized-write).
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => clipboard(app)).toMatch(/unshare|bwrap/);
    await page.getByRole('button', { name: 'Create machine' }).click();

    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page.locator('.machine-head [data-state]')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
    await expect(page.getByTestId('terminal-console').locator('.xterm-rows')).toContainText('Started');

    // A shell tab: a command inside the machine.
    await page.getByRole('tab', { name: 'Shell' }).click();
    const shell = page.getByTestId('terminal-shell').locator('.xterm-rows');
    await expect(shell).toContainText('#', { timeout: 20_000 });
    await typeIn(page, 'terminal-shell', 'echo copy-me-$((6*7))');
    await expect(shell).toContainText('copy-me-42');
    // Copy from the terminal: select the word, Ctrl+Shift+C (navigator.clipboard.writeText).
    await shell.getByText('copy-me-42', { exact: false }).last().dblclick();
    await page.keyboard.press('Control+Shift+C');
    await expect.poll(() => clipboard(app)).toMatch(/copy-me-42/);
    // Paste into the terminal: Ctrl+Shift+V (navigator.clipboard.readText, clipboard-read).
    await app.evaluate(({ clipboard: c }) => c.writeText('echo pasted-$((6*7))'));
    await page.getByTestId('terminal-shell').click();
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.press('Enter');
    await expect(shell).toContainText('pasted-42');

    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(page.locator('.machine-head [data-state]')).toHaveAttribute('data-state', 'exited', { timeout: 60_000 });
  } finally {
    await app.close();
  }
});
