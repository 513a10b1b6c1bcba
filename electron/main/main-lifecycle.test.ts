// main.ts itself, run against a faked `electron` (fake-electron.ts): what it registers before ready,
// what the window loads, and that every way out says "machines keep running" and cleans up once.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CALL } from '../contract/api';
import { createFakeElectron, type FakeElectron } from './fake-electron';

const state = vi.hoisted(() => ({ fake: undefined as unknown, notices: 0 }));

// Vitest keeps a mocked module across vi.resetModules(): each name reads the current test's fake.
vi.mock('electron', () => {
  const names = ['app', 'BrowserWindow', 'ipcMain', 'dialog', 'Menu', 'Notification', 'protocol', 'session', 'shell'];
  const current = () => (state.fake as FakeElectron).electron as Record<string, unknown>;
  const member = (n: string, k: string | symbol) => {
    const target = current()[n] as object;
    const value = Reflect.get(target, k);
    return typeof value === 'function' && k !== 'prototype' ? value.bind(target) : value;
  };
  return Object.fromEntries(
    names.map((n) => [
      n,
      new Proxy(function () {}, {
        get: (_t, k) => member(n, k),
        construct: (_t, args) => Reflect.construct(current()[n] as never, args),
        apply: (_t, self, args) => Reflect.apply(current()[n] as never, self, args),
      }),
    ]),
  );
});

vi.mock('./quit-notice', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./quit-notice')>();
  return {
    ...actual,
    sayMachinesKeepRunning: (deps: Parameters<typeof actual.sayMachinesKeepRunning>[0]) => {
      state.notices++;
      return actual.sayMachinesKeepRunning(deps);
    },
  };
});

let home: string;
const saved = { ...process.env };

async function startMain(): Promise<FakeElectron> {
  vi.resetModules();
  state.notices = 0;
  const fake = createFakeElectron();
  state.fake = fake;
  await import('./main');
  await new Promise((r) => setTimeout(r, 0)); // whenReady().then(start)
  return fake;
}

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-main-'));
  Object.assign(process.env, { XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data'), XDG_RUNTIME_DIR: path.join(home, 'run') });
  fs.mkdirSync(path.join(home, 'run'), { mode: 0o700 });
  delete process.env.APPIMAGE;
});

afterEach(() => {
  process.env = { ...saved };
  fs.rmSync(home, { recursive: true, force: true });
});

type MenuItem = { role?: string; label?: string; accelerator?: string; click?: () => void; submenu?: MenuItem[] };
const menuItems = (fake: FakeElectron): MenuItem[] => (fake.menus.at(-1)!.template as MenuItem[]).flatMap((m) => m.submenu ?? []);

describe('the main process at start', () => {
  it('registers burrow:// as a privileged scheme before ready, serves it, and loads burrow://app/index.html', async () => {
    const fake = await startMain();
    expect(fake.schemes).toEqual([{ scheme: 'burrow', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect([...fake.protocolHandlers.keys()]).toEqual(['burrow']);
    expect(fake.windows).toHaveLength(1);
    expect(fake.windows[0]!.loadedUrl).toBe('burrow://app/index.html');
    expect(String(fake.windows[0]!.options.icon)).toMatch(/\.png$/);
    // The IPC check trusts the page exactly as Chromium will report it back.
    const reply = await fake.ipcHandlers.get(IPC_CALL)!({ senderFrame: { url: new URL(fake.windows[0]!.loadedUrl!).href, parent: null } }, 'machines.list', []);
    expect(reply).toEqual({ result: { machines: [], broken: [] } });
    fake.electron.app.quit();
  });

  it('offers to install the burrow command only when it runs from an AppImage', async () => {
    expect(menuItems(await startMain()).some((i) => /Install the &burrow Command/.test(i.label ?? ''))).toBe(false);
    process.env.APPIMAGE = '/home/zoë/Apps/Burrow.AppImage';
    const fake = await startMain();
    expect(menuItems(fake).some((i) => /Install the &burrow Command/.test(i.label ?? '') && typeof i.click === 'function')).toBe(true);
    fake.electron.app.quit();
  });
});

describe('every way out', () => {
  const cleanedUp = (fake: FakeElectron) => !fake.ipcHandlers.has(IPC_CALL);

  it('closing the window: the notice and the cleanup run once, then the app quits', async () => {
    const fake = await startMain();
    fake.windows[0]!.close();
    expect(state.notices).toBe(1);
    expect(cleanedUp(fake)).toBe(true);
    expect(fake.electron.app.quitCalls).toBe(1);
  });

  it('File → Quit and Ctrl+Q (role quit, which calls app.quit() and skips window-all-closed): the same, once', async () => {
    const fake = await startMain();
    const quit = menuItems(fake).find((i) => i.role === 'quit')!;
    expect(quit).toMatchObject({ accelerator: 'CmdOrCtrl+Q' });
    expect(quit.click).toBeUndefined(); // Electron's role runs app.quit()
    fake.electron.app.quit();
    expect(state.notices).toBe(1);
    expect(cleanedUp(fake)).toBe(true);
    fake.electron.app.quit(); // a second Ctrl+Q while quitting
    expect(state.notices).toBe(1);
  });

  it('a quit that is cancelled (by before-quit, or by a window that will not close) runs nothing; the next runs it once', async () => {
    const fake = await startMain();
    fake.electron.app.once('before-quit', (e: { preventDefault(): void }) => e.preventDefault());
    fake.electron.app.quit();
    fake.windows[0]!.once('close', (e: { preventDefault(): void }) => e.preventDefault());
    fake.electron.app.quit();
    expect(fake.windows).toHaveLength(1);
    expect(state.notices).toBe(0);
    expect(cleanedUp(fake)).toBe(false);
    fake.electron.app.quit();
    expect(fake.windows).toHaveLength(0);
    expect(state.notices).toBe(1);
  });
});
