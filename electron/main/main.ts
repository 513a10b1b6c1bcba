// The Electron main process: app lifecycle, the window, the menu, notifications, and the contract bound
// to IPC. Thin: the engine does the work. Machines belong to their supervisors, so quitting the window
// leaves them running; reopening lists them and replays their consoles.
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, protocol, session, shell } from 'electron';
import * as path from 'node:path';
import { installBurrowCommand } from '../engine/burrow-command';
import { stateNotice } from '../contract/describe';
import { isEnterable, type MachineStatus } from '../contract/machine-state';
import { errorMessage } from '../engine/errors';
import { listMachines } from '../engine/machines';
import { nodeScriptCommand } from '../engine/node-runtime';
import { configDir } from '../engine/paths';
import { ApiHost } from '../host/api-host';
import { APP_PAGE_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppRequest } from './app-protocol';
import { bindIpc } from './ipc';
import { buildMenu } from './menu';
import { sayMachinesKeepRunning } from './quit-notice';
import { runOnQuit } from './quit';
import { hardenApp } from './security';
import { windowOptions } from './window-options';

const distDir = __dirname;
let win: BrowserWindow | undefined;

// Before ready: burrow:// gets a real origin, a secure context and fetch (app-protocol.ts says why).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  void app.whenReady().then(start);
}

function start(): void {
  hardenApp(app, session.defaultSession, shell);
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(path.join(distDir, 'renderer'), request));
  const host = new ApiHost('electron', {
    pickFolder: async () => {
      const r = await dialog.showOpenDialog(win!, { title: 'Choose a root file system folder', properties: ['openDirectory', 'showHiddenFiles'] });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    pickImageFile: async () => {
      const r = await dialog.showOpenDialog(win!, {
        title: 'Choose an image to import',
        properties: ['openFile', 'showHiddenFiles'],
        filters: [
          { name: 'Images (tarballs, OCI and docker save archives)', extensions: ['tar', 'gz', 'tgz', 'xz', 'zst', 'zstd', 'bz2'] },
          { name: 'All files', extensions: ['*'] },
        ],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  });
  const seen = new Map<string, string>();
  host.onEvent((event, payload) => {
    if (event !== 'machines.changed') return;
    const status = payload as MachineStatus;
    const before = seen.get(status.name);
    seen.set(status.name, status.state);
    const notice = before && before !== status.state ? stateNotice(status) : undefined;
    if (notice && Notification.isSupported() && !win?.isFocused()) new Notification({ title: notice.title, body: notice.detail ?? '' }).show();
  });
  const ipc = bindIpc(ipcMain, host, APP_PAGE_URL, () => win?.webContents);
  const appImage = process.env.APPIMAGE;
  const menuOptions = { installCommand: appImage ? () => installCommand(appImage) : undefined };
  Menu.setApplicationMenu(buildMenu((command) => host.emit('ui.command', { command }), menuOptions));
  createWindow();
  app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && createWindow());
  runOnQuit(app, () => {
    sayMachinesKeepRunning({
      liveMachines: () =>
        listMachines()
          .machines.filter((m) => isEnterable(m.status))
          .map((m) => m.profile.name),
      showMessage: (message, detail) => void dialog.showMessageBoxSync({ type: 'info', message, detail }),
      configDir: configDir(),
    });
    ipc.dispose();
    host.dispose();
  });
}

function createWindow(): void {
  win = new BrowserWindow(windowOptions(distDir));
  win.once('ready-to-show', () => win?.show());
  void win.loadURL(APP_PAGE_URL);
}

/** Help → Install the burrow Command (AppImage only): ~/.local/bin/burrow, running this AppImage's CLI. */
function installCommand(appImage: string): void {
  const report = (type: 'info' | 'error', message: string, detail: string) => void dialog.showMessageBox(win!, { type, message, detail });
  try {
    const installed = installBurrowCommand(nodeScriptCommand(path.join(distDir, 'cli.js')), appImage);
    const where = path.dirname(installed.path);
    report(
      'info',
      `burrow is installed at ${installed.path}`,
      installed.onPath
        ? 'Open a new terminal and run: burrow --help'
        : `${where} is not on your PATH yet: log in again (most distributions add it once it exists), or add it in ~/.profile.`,
    );
  } catch (e) {
    report('error', 'The burrow command was not installed', errorMessage(e));
  }
}
