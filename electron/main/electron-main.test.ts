// The main process against a faked `electron` module: IPC validation, sender checks, window options.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { IPC_CALL } from '../contract/api';
import type { ApiHost } from '../host/api-host';
import { bindIpc, isTrustedSender } from './ipc';
import { QUIT_NOTICE_MARKER, sayMachinesKeepRunning } from './quit-notice';
import { hardenApp, isSafeExternalUrl } from './security';
import { rendererUrl, windowOptions } from './window-options';

vi.mock('electron', () => ({}));

const PAGE = rendererUrl('/opt/Burrow/resources/app.asar/dist');

function fakeIpc() {
  const handlers = new Map<string, (...a: unknown[]) => unknown>();
  return {
    handlers,
    handle: (ch: string, fn: (...a: unknown[]) => unknown) => handlers.set(ch, fn),
    removeHandler: (ch: string) => handlers.delete(ch),
  };
}

function fakeHost(calls: unknown[][]): ApiHost {
  return { call: async (name: string, args: unknown[]) => (calls.push([name, ...args]), name === 'machines.list' ? { machines: [], broken: [] } : null), onEvent: () => ({ dispose() {} }) } as unknown as ApiHost;
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
    expect(await call(frame(PAGE), 'machines.start', ['../etc'])).toMatchObject({ error: { message: expect.stringMatching(/invalid arguments for machines.start/) } });
    expect(await call(frame(PAGE), 'terminal.input', ['t1'])).toMatchObject({ error: { code: 'invalid-input' } });
    expect(await call(frame('https://evil.example/'), 'machines.list', [])).toEqual({ error: { message: 'refused: this frame may not call Burrow', code: 'forbidden' } });
    expect(await call(frame(PAGE, { url: PAGE }), 'machines.list', [])).toMatchObject({ error: { code: 'forbidden' } });
    expect(calls).toEqual([]);
  });

  it('trusts only the top frame of the renderer page', () => {
    expect(isTrustedSender(frame(`${PAGE}#x`) as never, PAGE)).toBe(true);
    expect(isTrustedSender({ senderFrame: null } as never, PAGE)).toBe(false);
  });
});

describe('window options', () => {
  it('follow the security checklist', () => {
    const w = windowOptions('/opt/Burrow/dist').webPreferences!;
    expect(w).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false });
    expect(w.preload).toBe('/opt/Burrow/dist/preload.js');
  });
});

describe('app hardening', () => {
  it('blocks navigation and new windows, opens only https links outside, denies permissions, sets the CSP', () => {
    const appHandlers: Record<string, (...a: unknown[]) => void> = {};
    const contentsHandlers: Record<string, (...a: unknown[]) => void> = {};
    let openHandler: (d: { url: string }) => { action: string } = () => ({ action: 'allow' });
    let permission: (wc: unknown, p: string, cb: (ok: boolean) => void) => void = () => undefined;
    let headers: (d: { responseHeaders: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void = () => undefined;
    const opened: string[] = [];
    hardenApp(
      { on: (ev: string, fn: (...a: unknown[]) => void) => (appHandlers[ev] = fn) } as never,
      { setPermissionRequestHandler: (fn: typeof permission) => (permission = fn), setPermissionCheckHandler: () => undefined, webRequest: { onHeadersReceived: (fn: typeof headers) => (headers = fn) } } as never,
      { openExternal: async (u: string) => void opened.push(u) } as never,
      PAGE,
    );
    appHandlers['web-contents-created']!({}, { on: (ev: string, fn: (...a: unknown[]) => void) => (contentsHandlers[ev] = fn), setWindowOpenHandler: (fn: typeof openHandler) => (openHandler = fn) });
    const nav = { preventDefault: vi.fn() };
    contentsHandlers['will-navigate']!(nav, 'https://evil.example/');
    expect(nav.preventDefault).toHaveBeenCalled();
    expect(openHandler({ url: 'https://systemd.io/' })).toEqual({ action: 'deny' });
    expect(openHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://systemd.io/']);
    let granted: boolean | undefined;
    permission(undefined, 'notifications', (ok) => (granted = ok));
    expect(granted).toBe(false);
    let out: Record<string, string[]> = {};
    headers({ responseHeaders: {} }, (r) => (out = r.responseHeaders));
    expect(out['Content-Security-Policy']![0]).toMatch(/script-src 'self'/);
    expect(isSafeExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeExternalUrl('http://127.0.0.1:8080/')).toBe(true);
    expect(isSafeExternalUrl('http://evil.example:8080/')).toBe(false);
    expect(isSafeExternalUrl('http://127.0.0.1/')).toBe(false);
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false);
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
