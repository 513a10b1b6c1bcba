// A fake `electron` module for tests of the main process (the runtime cannot be downloaded here). It
// keeps what main.ts does observable and models the lifecycle the way Electron documents it: closing
// the last window emits window-all-closed; app.quit() emits before-quit, closes the windows WITHOUT
// window-all-closed, then will-quit and quit, unless a before-quit or will-quit listener prevents it.
import { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => unknown;

class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export function createFakeElectron() {
  const windows: FakeWindow[] = [];
  let quitting = false;
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    quitCalls: 0,
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    getPath: (name: string) => `/fake/${name}`,
    quit(): void {
      app.quitCalls++;
      if (quitting) return;
      const before = new FakeEvent();
      app.emit('before-quit', before);
      if (before.defaultPrevented) return;
      quitting = true;
      for (const w of [...windows]) {
        const close = new FakeEvent();
        w.emit('close', close);
        if (close.defaultPrevented) {
          quitting = false; // a window that refuses to close cancels the quit
          return;
        }
        w.destroy();
      }
      const will = new FakeEvent();
      app.emit('will-quit', will);
      if (will.defaultPrevented) {
        quitting = false;
        return;
      }
      app.emit('quit');
    },
  });

  class FakeWindow extends EventEmitter {
    loadedUrl?: string;
    destroyed = false;
    readonly webContents = Object.assign(new EventEmitter(), {
      send: () => undefined,
      isDestroyed: () => this.destroyed,
      setWindowOpenHandler: () => undefined,
    });
    constructor(readonly options: Record<string, unknown>) {
      super();
      windows.push(this);
      app.emit('web-contents-created', new FakeEvent(), this.webContents);
    }
    static getAllWindows = (): FakeWindow[] => [...windows];
    loadURL(url: string): Promise<void> {
      this.loadedUrl = url;
      return Promise.resolve();
    }
    show(): void {}
    focus(): void {}
    restore(): void {}
    isMinimized = () => false;
    isFocused = () => true;
    isDestroyed = () => this.destroyed;
    destroy(): void {
      if (this.destroyed) return;
      this.destroyed = true;
      windows.splice(windows.indexOf(this), 1);
      this.emit('closed');
    }
    /** The user closes the window (its close button). */
    close(): void {
      const event = new FakeEvent();
      this.emit('close', event);
      if (event.defaultPrevented) return;
      this.destroy();
      if (!windows.length && !quitting) app.emit('window-all-closed');
    }
  }

  const ipcHandlers = new Map<string, Listener>();
  const schemes: { scheme: string; privileges: Record<string, boolean> }[] = [];
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
  const permission: { request?: Listener; check?: Listener } = {};
  const messages: { message: string; detail?: string }[] = [];
  const menus: { template: unknown[] }[] = [];

  const electron = {
    app,
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle: (channel: string, fn: Listener) => void ipcHandlers.set(channel, fn),
      removeHandler: (channel: string) => void ipcHandlers.delete(channel),
    },
    dialog: {
      showMessageBoxSync: (opts: { message: string; detail?: string }) => (messages.push(opts), 0),
      showMessageBox: async (_w: unknown, opts: { message: string; detail?: string }) => (messages.push(opts), { response: 0 }),
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
    },
    Menu: {
      buildFromTemplate: (template: unknown[]) => ({ template }),
      setApplicationMenu: (menu: { template: unknown[] }) => void menus.push(menu),
    },
    Notification: Object.assign(function Notification() {}, { isSupported: () => false }),
    protocol: {
      registerSchemesAsPrivileged: (list: typeof schemes) => {
        if (app.listenerCount('ready') || readyCalled) throw new Error('registerSchemesAsPrivileged must be called before the app is ready');
        schemes.push(...list);
      },
      handle: (scheme: string, fn: (request: Request) => Promise<Response>) => void protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Listener) => void (permission.request = fn),
        setPermissionCheckHandler: (fn: Listener) => void (permission.check = fn),
        webRequest: { onHeadersReceived: () => undefined },
      },
    },
    shell: { openExternal: async () => undefined },
  };
  let readyCalled = false;
  const originalWhenReady = app.whenReady;
  app.whenReady = () => {
    readyCalled = true;
    return originalWhenReady();
  };
  return { electron, windows, ipcHandlers, schemes, protocolHandlers, permission, messages, menus };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
