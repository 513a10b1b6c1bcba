// The Electron main process: app lifecycle, the window, the menu, notifications, and the contract bound
// to IPC. Thin: the engine does the work. Machines belong to their supervisors, so quitting the window
// leaves them running; reopening lists them and replays their consoles.
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, session, shell } from 'electron';
import { configDir } from '../engine/paths';
import { listMachines } from '../engine/machines';
import { ApiHost } from '../host/api-host';
import { bindIpc } from './ipc';
import { buildMenu } from './menu';
import { sayMachinesKeepRunning } from './quit-notice';
import { hardenApp } from './security';
import { rendererUrl, windowOptions } from './window-options';

const distDir = __dirname;
const pageUrl = rendererUrl(distDir);
let win: BrowserWindow | undefined;

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

const NOTIFY: Record<string, string> = { running: 'is ready', degraded: 'is up, with failed units', crashed: 'crashed', exited: 'exited' };

function start(): void {
  hardenApp(app, session.defaultSession, shell, pageUrl);
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
    const status = payload as { name: string; state: string; message?: string };
    const before = seen.get(status.name);
    seen.set(status.name, status.state);
    if (before && before !== status.state && NOTIFY[status.state] && Notification.isSupported() && !win?.isFocused()) {
      new Notification({ title: `${status.name} ${NOTIFY[status.state]}`, body: status.message ?? '' }).show();
    }
  });
  bindIpc(ipcMain, host, pageUrl, () => win?.webContents);
  Menu.setApplicationMenu(buildMenu((command) => host.emit('ui.command', { command })));
  createWindow();
  app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && createWindow());
  app.on('window-all-closed', () => {
    sayMachinesKeepRunning({
      liveMachines: () => listMachines().machines.filter((m) => ['starting', 'running', 'degraded'].includes(m.status.state)).map((m) => m.profile.name),
      showMessage: (message, detail) => void dialog.showMessageBoxSync({ type: 'info', message, detail }),
      configDir: configDir(),
    });
    host.dispose();
    app.quit();
  });
}

function createWindow(): void {
  win = new BrowserWindow(windowOptions(distDir));
  win.once('ready-to-show', () => win?.show());
  void win.loadURL(pageUrl);
}
