// The window's page comes from burrow://app/, a privileged (standard, secure) scheme served from
// dist/renderer only, rather than from file://: a file:// page shares its origin with every local file,
// and Electron's security guide notes that response headers (our CSP) do not reliably reach it. With a
// standard scheme the page has a real origin (burrow://app), which the IPC sender check, the navigation
// guard and the permission handlers compare, and which no checkout path (spaces, non-ASCII) can change.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../contract/csp';

export const APP_SCHEME = 'burrow';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_PAGE_URL = `${APP_ORIGIN}/index.html`;

/** For protocol.registerSchemesAsPrivileged, before the app is ready. */
// corsEnabled: Vite's page loads its ES modules in CORS mode (same origin, so no header is needed).
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Whether `url` is burrow://app/… (no credentials, no port). */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return !!u && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
}

/**
 * Whether `url` is the page `expected` (same scheme, host, port and path; any query or fragment),
 * compared parsed, never as text: Chromium reports URLs canonicalised and percent-encoded.
 */
export function isSamePage(url: string, expected: string): boolean {
  const [a, b] = [parse(url), parse(expected)];
  if (!a || !b || a.username || a.password) return false;
  return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
}

/** Whether `url` is our page itself. */
export const isAppPage = (url: string): boolean => isSamePage(url, APP_PAGE_URL);

/**
 * The file under `rendererDir` that `url` names, or undefined: another scheme or host, a path that
 * leaves the folder (`..`, encoded `%2e%2e` or `%2f`, backslashes, an absolute path), a NUL byte,
 * or malformed percent-encoding.
 */
export function resolveAppFile(rendererDir: string, url: string): string | undefined {
  if (!isAppUrl(url)) return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parse(url)!.pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return undefined;
  const segments = pathname.split('/').filter(Boolean);
  if (segments.some((s) => s === '..' || s === '.')) return undefined;
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, ...(segments.length ? segments : ['index.html']));
  return file.startsWith(root + path.sep) ? file : undefined;
}

const notFound = (): Response => new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });

/** The protocol handler: GET of a regular file under rendererDir (no links out of it), with our CSP. */
export async function serveAppRequest(rendererDir: string, request: Pick<Request, 'url' | 'method'>): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
  const file = resolveAppFile(rendererDir, request.url);
  if (!file) return notFound();
  let body: Buffer;
  try {
    // A link inside dist/renderer must not lead outside it either.
    const real = fs.realpathSync(file);
    if (!real.startsWith(fs.realpathSync(rendererDir) + path.sep) || !fs.statSync(real).isFile()) return notFound();
    body = fs.readFileSync(real);
  } catch {
    return notFound();
  }
  const headers = {
    'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  };
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
}
