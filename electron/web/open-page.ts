// Opening the browser without showing the token to anyone: a process's arguments are readable by every
// user (/proc/PID/cmdline), so the browser gets the path of a private page (0600, in the private runtime
// folder) that forwards to the tokened URL, as Jupyter does. The server then trades the token for a cookie.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Disposable } from '../engine/disposable';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function openPageHtml(url: string): string {
  const href = escapeHtml(url);
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<meta http-equiv="refresh" content="0;url=${href}">`,
    '<meta name="referrer" content="no-referrer">',
    '<title>Opening Burrow</title></head>',
    `<body><p>Opening Burrow… If nothing happens, <a href="${href}">open it here</a>.</p></body></html>`,
    '',
  ].join('\n');
}

/** Writes the forwarding page for a web host on `port` into `dir` (a private folder); dispose removes it. */
export function writeOpenPage(dir: string, port: number, url: string): Disposable & { file: string } {
  const file = path.join(dir, `serve-${port}.html`);
  fs.rmSync(file, { force: true });
  // 'wx' with mode 0600: a new file of ours, never one planted in its place or a link followed.
  fs.writeFileSync(file, openPageHtml(url), { flag: 'wx', mode: 0o600 });
  return { file, dispose: () => fs.rmSync(file, { force: true }) };
}

/** Starts the desktop's browser on the page; its arguments hold only the page's path. */
export function openInBrowser(opener: string, page: string): void {
  const child = spawn(opener, [page], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}
