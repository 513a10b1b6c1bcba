// The main process against a faked `electron` module: IPC validation, sender checks, window options,
// navigation, permissions. main.ts itself (lifecycle, quit paths) is in main-lifecycle.test.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { IPC_CALL } from '../contract/api';
import type { ApiHost } from '../host/api-host';
import { bindIpc, isTrustedSender } from './ipc';
import { QUIT_NOTICE_MARKER, sayMachinesKeepRunning } from './quit-notice';
import { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY } from '../contract/csp';
import { hardenApp, isSafeExternalUrl } from './security';
import { windowOptions } from './window-options';

vi.mock('electron', () => ({}));

/** The window's page (app-protocol.ts), written out: the tests are its specification. */
const PAGE = 'burrow://app/index.html';
const ROOT = path.resolve(__dirname, '../..');

function fakeIpc() {
  const handlers = new Map<string, (...a: unknown[]) => unknown>();
  return {
    handlers,
    handle: (ch: string, fn: (...a: unknown[]) => unknown) => handlers.set(ch, fn),
    removeHandler: (ch: string) => handlers.delete(ch),
  };
}

function fakeHost(calls: unknown[][]): ApiHost {
  return {
    call: async (name: string, args: unknown[]) => (calls.push([name, ...args]), name === 'machines.list' ? { machines: [], broken: [] } : null),
    onEvent: () => ({ dispose() {} }),
  } as unknown as ApiHost;
}

const frame = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent } });

describe('IPC binding', () => {
  it('answers a valid call from our own page in an envelope', async () => {
    const ipc = fakeIpc();
    const calls: unknown[][] = [];
    bindIpc(ipc as never, fakeHost(calls), PAGE, () => undefined);
    const reply = await ipc.handlers.get(IPC_CALL)!(frame(PAGE), 'machines.list', []);
    expect(reply).toEqual({ result: { machines: [], broken: [] } });
    expect(calls).toEqual([['machines.list']]);
  });

  it('rejects an unknown call, a bad payload and a foreign sender without reaching the host', async () => {
    const ipc = fakeIpc();
    const calls: unknown[][] = [];
    bindIpc(ipc as never, fakeHost(calls), PAGE, () => undefined);
    const call = ipc.handlers.get(IPC_CALL)!;
    expect(await call(frame(PAGE), 'shell.exec', ['rm -rf /'])).toEqual({ error: { message: 'unknown call "shell.exec"', code: 'invalid-input' } });
    expect(await call(frame(PAGE), 'machines.start', ['../etc'])).toMatchObject({
      error: { message: expect.stringMatching(/invalid arguments for machines.start/) },
    });
    expect(await call(frame(PAGE), 'terminal.input', ['t1'])).toMatchObject({ error: { code: 'invalid-input' } });
    expect(await call(frame('https://evil.example/'), 'machines.list', [])).toEqual({
      error: { message: 'refused: this frame may not call Burrow', code: 'forbidden' },
    });
    expect(await call(frame(PAGE, { url: PAGE }), 'machines.list', [])).toMatchObject({ error: { code: 'forbidden' } });
    expect(calls).toEqual([]);
  });

  it('trusts only the top frame of the renderer page', () => {
    expect(isTrustedSender(frame(`${PAGE}#x`) as never, PAGE)).toBe(true);
    expect(isTrustedSender(frame(`${PAGE}?view=doctor`) as never, PAGE)).toBe(true);
    expect(isTrustedSender({ senderFrame: null } as never, PAGE)).toBe(false);
    for (const url of [
      'burrow://app/other.html',
      'burrow://evil/index.html',
      'burrow://user:pw@app/index.html',
      'file:///index.html',
      'https://app/index.html',
      'not a url',
    ]) {
      expect(isTrustedSender(frame(url) as never, PAGE), url).toBe(false);
    }
  });

  it('compares parsed URLs: a page under a path with a space or non-ASCII characters is still ours', () => {
    // Chromium reports the frame's URL canonicalised (percent-encoded); the page URL was built as text.
    for (const dir of ['/home/zoë/my checkout/dist', '/opt/Бurrow #1/dist']) {
      const built = `file://${path.join(dir, 'renderer', 'index.html')}`;
      expect(isTrustedSender(frame(new URL(built).href) as never, built), dir).toBe(true);
    }
    expect(isTrustedSender(frame(new URL(PAGE).href) as never, PAGE)).toBe(true);
  });
});

describe('window options', () => {
  it('follow the security checklist', () => {
    const w = windowOptions('/opt/Burrow/dist').webPreferences!;
    expect(w).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(w.preload).toBe('/opt/Burrow/dist/preload.js');
  });

  it('name a PNG window icon that the renderer build puts there (Electron cannot read SVG)', () => {
    const icon = String(windowOptions('/opt/Burrow/dist').icon);
    expect(icon).toBe('/opt/Burrow/dist/renderer/icon.png');
    // Vite copies renderer/public/ into dist/renderer/ as it is (vite.config.mts: publicDir, outDir).
    const source = fs.readFileSync(path.join(ROOT, 'renderer', 'public', path.basename(icon)));
    expect(source.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(source.equals(fs.readFileSync(path.join(ROOT, 'resources', 'icons', '256x256.png')))).toBe(true);
    expect(fs.readFileSync(path.join(ROOT, 'vite.config.mts'), 'utf8')).toMatch(/publicDir: 'public'[\s\S]*outDir: '..\/dist\/renderer'/);
  });
});

type Handler = (...a: unknown[]) => unknown;

function hardened() {
  const appHandlers: Record<string, Handler> = {};
  const contentsHandlers: Record<string, Handler> = {};
  const session: { request?: Handler; check?: Handler; headers?: Handler } = {};
  let openHandler: (d: { url: string }) => { action: string } = () => ({ action: 'allow' });
  const opened: string[] = [];
  hardenApp(
    { on: (ev: string, fn: Handler) => (appHandlers[ev] = fn) } as never,
    {
      setPermissionRequestHandler: (fn: Handler) => (session.request = fn),
      setPermissionCheckHandler: (fn: Handler) => (session.check = fn),
      webRequest: { onHeadersReceived: (fn: Handler) => (session.headers = fn) },
    } as never,
    { openExternal: async (u: string) => void opened.push(u) } as never,
  );
  appHandlers['web-contents-created']!(
    {},
    { on: (ev: string, fn: Handler) => (contentsHandlers[ev] = fn), setWindowOpenHandler: (fn: typeof openHandler) => (openHandler = fn) },
  );
  /** Electron 41: the listener gets details (an Event with url); the positional url is deprecated. */
  const navigate = (event: string, url: string) => {
    const details = { url, isMainFrame: true, isSameDocument: false, preventDefault: vi.fn() };
    contentsHandlers[event]!(details);
    return details.preventDefault.mock.calls.length > 0;
  };
  const request = (permission: string, details: object) => {
    let granted: boolean | undefined;
    session.request!(undefined, permission, (ok: boolean) => (granted = ok), details);
    return granted;
  };
  const check = (permission: string, origin: string, details: object) => session.check!(null, permission, origin, details);
  return { navigate, request, check, openHandler: (url: string) => openHandler({ url }), opened, headers: session.headers! };
}

describe('app hardening', () => {
  it('blocks navigation away from the page, reading the target from details.url', () => {
    const h = hardened();
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      expect(h.navigate(event, PAGE), event).toBe(false);
      expect(h.navigate(event, `${PAGE}#machines/web`), event).toBe(false);
      for (const url of [
        'https://evil.example/',
        'file:///etc/passwd',
        'burrow://app/../../etc/passwd',
        'burrow://other/index.html',
        'javascript:alert(1)',
        '',
      ]) {
        expect(h.navigate(event, url), `${event} ${url}`).toBe(true);
      }
    }
  });

  it('opens only https links and local port forwards outside, never a new window', () => {
    const h = hardened();
    expect(h.openHandler('https://systemd.io/')).toEqual({ action: 'deny' });
    expect(h.openHandler('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(h.opened).toEqual(['https://systemd.io/']);
    expect(isSafeExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeExternalUrl('http://127.0.0.1:8080/')).toBe(true);
    expect(isSafeExternalUrl('http://evil.example:8080/')).toBe(false);
    expect(isSafeExternalUrl('http://127.0.0.1/')).toBe(false);
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false);
  });

  it('grants the clipboard to the top frame of our page (terminal copy and paste, Copy buttons), and nothing else to anyone', () => {
    const h = hardened();
    const top = { requestingUrl: PAGE, isMainFrame: true };
    expect(h.request('clipboard-sanitized-write', top)).toBe(true);
    expect(h.request('clipboard-read', top)).toBe(true);
    for (const permission of ['notifications', 'media', 'geolocation', 'openExternal', 'fileSystem', 'hid', 'usb', 'serial', 'unknown', 'clipboard']) {
      expect(h.request(permission, top), permission).toBe(false);
    }
    expect(h.request('clipboard-read', { requestingUrl: PAGE, isMainFrame: false })).toBe(false);
    expect(h.request('clipboard-read', { requestingUrl: 'https://evil.example/', isMainFrame: true })).toBe(false);
    expect(h.request('clipboard-read', { requestingUrl: 'burrow://app/other.html', isMainFrame: true })).toBe(false);
    expect(h.request('clipboard-read', {})).toBe(false);
  });

  it('answers permission checks by the same rule, judged by origin, and never for an embedded frame', () => {
    const h = hardened();
    const top = { requestingUrl: PAGE, isMainFrame: true };
    expect(h.check('clipboard-sanitized-write', 'burrow://app', top)).toBe(true);
    expect(h.check('clipboard-read', 'burrow://app', top)).toBe(true);
    expect(h.check('notifications', 'burrow://app', top)).toBe(false);
    expect(h.check('clipboard-read', 'https://evil.example', { requestingUrl: 'https://evil.example/', isMainFrame: true })).toBe(false);
    expect(h.check('clipboard-read', 'burrow://app', { ...top, embeddingOrigin: 'https://evil.example' })).toBe(false);
    expect(h.check('clipboard-read', 'burrow://app', { ...top, isMainFrame: false })).toBe(false);
    expect(h.check('clipboard-read', 'file://', { requestingUrl: 'file:///index.html', isMainFrame: true })).toBe(false);
  });

  it('sets the CSP header on every response', () => {
    let out: Record<string, string[]> = {};
    hardened().headers({ responseHeaders: {} }, (r: { responseHeaders: Record<string, string[]> }) => (out = r.responseHeaders));
    expect(out['Content-Security-Policy']![0]).toMatch(/script-src 'self'/);
  });
});

describe('the CSP', () => {
  // Electron's security guide: a response header does not reliably reach a page; the <meta> always does.
  it('is also a <meta> in the page, the same policy but frame-ancestors, which a <meta> cannot carry', () => {
    const html = fs.readFileSync(path.join(ROOT, 'renderer', 'index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(META_CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY.split('; ').filter((d) => !d.startsWith('frame-ancestors'))).toEqual(META_CONTENT_SECURITY_POLICY.split('; '));
    expect(META_CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'/);
    // Before any script: a policy in a <meta> applies only to what comes after it.
    expect(html.indexOf('http-equiv="Content-Security-Policy"')).toBeLessThan(html.indexOf('<script'));
  });
});

describe('quitting the window', () => {
  it('says once that running machines keep running, and stays quiet when none run', () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-quit-'));
    try {
      const said: string[] = [];
      const deps = (live: string[]) => ({ liveMachines: () => live, showMessage: (m: string, d: string) => said.push(`${m}: ${d}`), configDir });
      expect(sayMachinesKeepRunning(deps([]))).toBe(false);
      expect(fs.existsSync(path.join(configDir, QUIT_NOTICE_MARKER))).toBe(false);
      expect(sayMachinesKeepRunning(deps(['web', 'db']))).toBe(true);
      expect(said).toEqual([expect.stringMatching(/^2 machines keep running: web, db belong to their supervisors, not to this window/)]);
      expect(sayMachinesKeepRunning(deps(['web']))).toBe(false);
      expect(said).toHaveLength(1);
    } finally {
      fs.rmSync(configDir, { recursive: true, force: true });
    }
  });
});
