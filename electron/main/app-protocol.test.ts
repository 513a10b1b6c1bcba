// burrow://app/ serves dist/renderer and nothing else, whatever the URL says, with the CSP in the response
// (and in the page's <meta>: electron-main.test.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../contract/csp';
import { APP_PAGE_URL, isAppPage, resolveAppFile, serveAppRequest } from './app-protocol';

let base: string;
let renderer: string;

beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-protocol-'));
  renderer = path.join(base, 'dist', 'renderer');
  fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Burrow</title>');
  fs.writeFileSync(path.join(renderer, 'assets', 'index-abc.js'), 'console.log(1)');
  fs.writeFileSync(path.join(renderer, 'assets', 'a b ü.css'), 'body{}');
  fs.writeFileSync(path.join(base, 'dist', 'main.js'), 'secret main');
  fs.writeFileSync(path.join(base, 'secret.txt'), 'secret');
  fs.symlinkSync(path.join(base, 'secret.txt'), path.join(renderer, 'assets', 'link.txt'));
  fs.symlinkSync(base, path.join(renderer, 'up'));
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const get = async (url: string, method = 'GET') => {
  const r = await serveAppRequest(renderer, { url, method });
  return { status: r.status, type: r.headers.get('content-type'), csp: r.headers.get('content-security-policy'), body: await r.text() };
};

describe('burrow://app/', () => {
  it('serves the page and its assets with a type, nosniff and the CSP', async () => {
    expect(await get(APP_PAGE_URL)).toMatchObject({
      status: 200,
      type: 'text/html; charset=utf-8',
      csp: CONTENT_SECURITY_POLICY,
      body: expect.stringContaining('<title>Burrow'),
    });
    expect(await get('burrow://app/')).toMatchObject({ status: 200, body: expect.stringContaining('<title>Burrow') });
    expect(await get('burrow://app/assets/index-abc.js?v=1#x')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8', body: 'console.log(1)' });
    expect(await get('burrow://app/assets/a%20b%20%C3%BC.css')).toMatchObject({ status: 200, type: 'text/css; charset=utf-8' });
    expect((await serveAppRequest(renderer, { url: APP_PAGE_URL, method: 'GET' })).headers.get('x-content-type-options')).toBe('nosniff');
    expect(await get(APP_PAGE_URL, 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('refuses every way out of dist/renderer: .., encoded dots and slashes, backslashes, absolute paths, NUL, links', async () => {
    const hostile = [
      'burrow://app/../main.js',
      'burrow://app/assets/../../main.js',
      'burrow://app/%2e%2e/main.js',
      'burrow://app/%2E%2E/%2e%2e/secret.txt',
      'burrow://app/..%2fmain.js',
      'burrow://app/assets%2f..%2f..%2fmain.js',
      'burrow://app/..%5cmain.js',
      'burrow://app/assets\\..\\..\\main.js',
      'burrow://app//etc/passwd',
      'burrow://app/%2fetc%2fpasswd',
      'burrow://app/index.html%00.js',
      'burrow://app/%00',
      'burrow://app/%E0%A4%A',
      'burrow://app/assets/link.txt',
      'burrow://app/up/secret.txt',
      'burrow://app/assets',
      'burrow://app/missing.js',
      'burrow://evil/index.html',
      'burrow://app:8080/index.html',
      'burrow://user:pw@app/index.html',
      'file:///etc/passwd',
      `burrow://app/${'a/'.repeat(5000)}x`,
      'not a url',
    ];
    for (const url of hostile) {
      const r = await get(url);
      expect(r.status, url).toBe(404);
      expect(r.body, url).not.toMatch(/secret|root:/);
      // The URL parser may fold a leading .. away (/../main.js is /main.js); what is left stays inside.
      const file = resolveAppFile(renderer, url);
      expect(file === undefined || file.startsWith(renderer + path.sep), url).toBe(true);
    }
    expect(resolveAppFile(renderer, 'burrow://app/..%2fmain.js')).toBeUndefined();
    expect(resolveAppFile(renderer, 'burrow://app/assets/index-abc.js')).toBe(path.join(renderer, 'assets', 'index-abc.js'));
  });

  it('answers only GET and HEAD', async () => {
    expect((await get(APP_PAGE_URL, 'POST')).status).toBe(405);
  });

  it('knows its page whatever the query or fragment, and nothing else', () => {
    expect(isAppPage(`${APP_PAGE_URL}#/machines/web`)).toBe(true);
    expect(isAppPage('burrow://app/other.html')).toBe(false);
  });
});
