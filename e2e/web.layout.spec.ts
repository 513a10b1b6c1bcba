// The window at 800, 1024 and 1440 px wide, light and dark: a screenshot of each view for a person to judge,
// an axe scan of each (no serious or critical violation), and what can be measured: nothing wider than the
// window, the status bar under the content (never over a control), the wizard's steps still as you go.
// Runs on a machine of its own (made with the CLI from the test rootfs), removed at the end.
import { expect, test, type Page } from '@playwright/test';
import { burrow, expectAccessible, freePort, machineState, rootfs, shot, THEMES, url, WIDTHS } from './helpers';

const MACHINE = 'layout-check';
test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const port = await freePort();
  const made = burrow('create', MACHINE, '--rootfs', rootfs(), '-p', `${port}:80`, '--memory', '512M');
  expect(made.status, made.stderr).toBe(0);
  const started = burrow('start', MACHINE);
  expect(started.status, started.stderr).toBe(0);
});

test.afterAll(() => {
  burrow('kill', MACHINE);
  burrow('rm', MACHINE);
});

/** Nothing of the page is wider than the window: tables and long lines scroll in their own boxes. */
async function expectNoSidewaysScroll(page: Page, label: string) {
  const over = await page.evaluate(() => {
    const root = document.scrollingElement!;
    const content = document.querySelector('.content');
    return { page: root.scrollWidth - root.clientWidth, content: content ? content.scrollWidth - content.clientWidth : 0 };
  });
  expect(over, `${label}: sideways overflow`).toEqual({ page: 0, content: 0 });
}

/** The status bar sits below every control of the content. */
async function expectBarBelow(page: Page, control: ReturnType<Page['getByRole']>, label: string) {
  const bar = await page.getByRole('region', { name: 'Tasks and notifications' }).boundingBox();
  const box = await control.boundingBox();
  expect(bar && box && box.y + box.height <= bar.y + 0.5, `${label}: the status bar covers ${await control.textContent()}`).toBe(true);
}

async function views(page: Page, suffix: string) {
  const origin = new URL(url()).origin;
  // The machine, running, with its facts bar and the actions menu open.
  await page.goto(`${origin}/#/machine/${MACHINE}`);
  await expect(machineState(page)).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await expect(page.getByRole('group', { name: 'Network and resources' })).toContainText('memory');
  await expectAccessible(page, `machine ${suffix}`);
  await expectNoSidewaysScroll(page, `machine ${suffix}`);
  await shot(page, `layout-machine-${suffix}`);
  await page.getByRole('button', { name: 'More actions' }).click();
  await shot(page, `layout-menu-${suffix}`);
  await page.keyboard.press('Escape');

  // The live mount table: long options scroll in their own box, not the window.
  await page.getByRole('tab', { name: 'Mounts' }).click();
  await expect(page.getByRole('region', { name: 'Live mounts' })).toContainText('/sys/fs/cgroup');
  await expectNoSidewaysScroll(page, `mounts ${suffix}`);
  await expectAccessible(page, `mounts ${suffix}`);
  await shot(page, `layout-mounts-${suffix}`);

  // The wizard: the steps column keeps its place and size from step to step.
  await page.goto(`${origin}/#/new`);
  const steps = page.getByRole('navigation', { name: 'Steps' });
  await expect(page.getByLabel('Machine name')).toBeVisible();
  const before = await steps.boundingBox();
  await expectAccessible(page, `wizard ${suffix}`);
  await expectNoSidewaysScroll(page, `wizard ${suffix}`);
  await expectBarBelow(page, page.getByRole('button', { name: 'Create and start' }), `wizard ${suffix}`);
  await shot(page, `layout-wizard-${suffix}`);
  await page
    .getByRole('button', { name: /^Network/ })
    .first()
    .click();
  await page.getByRole('button', { name: '+ Web (80)' }).click();
  await page.getByLabel('Forward 1 host port').fill('80');
  const during = await steps.boundingBox();
  expect({ x: during?.x, y: during?.y }, `wizard ${suffix}: the steps moved`).toEqual({ x: before?.x, y: before?.y });
  await expectAccessible(page, `wizard network ${suffix}`);
  await expectNoSidewaysScroll(page, `wizard network ${suffix}`);
  await shot(page, `layout-wizard-network-${suffix}`);
  await steps.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByLabel('Summary')).toBeVisible();
  await expectNoSidewaysScroll(page, `review ${suffix}`);
  await shot(page, `layout-review-${suffix}`);

  // The home view with the task and notification history open.
  await page.goto(`${origin}/#/`);
  await page.getByRole('region', { name: 'Tasks and notifications' }).locator('.activity-toggle').click();
  await expect(page.getByRole('log', { name: 'Notifications' })).toBeAttached();
  await expectAccessible(page, `home ${suffix}`);
  await expectNoSidewaysScroll(page, `home ${suffix}`);
  await shot(page, `layout-home-${suffix}`);
}

for (const theme of THEMES) {
  for (const width of WIDTHS) {
    test(`every view fits and reads at ${width} px, ${theme}`, async ({ page }) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.setViewportSize({ width, height: 800 });
      await page.emulateMedia({ colorScheme: theme });
      // The address with the token, once: the session cookie serves every later page of this context.
      await page.goto(url());
      await views(page, `${width}-${theme}`);
      expect(errors, 'errors in the page').toEqual([]);
    });
  }
}
