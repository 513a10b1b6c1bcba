// App-wide hardening: no navigation, no new windows (https links, and http links to a machine's port
// forward on this computer, go to the system browser), CSP on every response, and permissions denied
// except the clipboard for our own page: terminals copy and paste and the Copy buttons write the command
// line through navigator.clipboard, which Chromium gates behind clipboard-sanitized-write (write) and
// clipboard-read (read). Nothing else (camera, notifications from the page, USB, ...) is ever granted.
import type { App, Session, Shell } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../contract/csp';
import { APP_ORIGIN, isAppPage } from './app-protocol';

export const ALLOWED_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write', 'clipboard-read'];

export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    // A forwarded port listens on this computer: http://127.0.0.1:PORT/ or http://localhost:PORT/.
    const local = u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost') && u.port !== '' && !u.username && !u.password;
    return u.protocol === 'https:' || local;
  } catch {
    return false;
  }
}

/** A permission request (navigator.clipboard.readText, ...): only the clipboard, only our page's top frame. */
export function allowPermissionRequest(permission: string, details: { requestingUrl?: string; isMainFrame?: boolean }): boolean {
  return ALLOWED_PERMISSIONS.includes(permission) && details.isMainFrame === true && !!details.requestingUrl && isAppPage(details.requestingUrl);
}

/** A permission check (Chromium asks before it requests): the same rule; a frame embedded in another origin never. */
export function allowPermissionCheck(
  permission: string,
  requestingOrigin: string,
  details: { requestingUrl?: string; isMainFrame?: boolean; embeddingOrigin?: string },
): boolean {
  if (details.embeddingOrigin !== undefined || requestingOrigin !== APP_ORIGIN) return false;
  return allowPermissionRequest(permission, details);
}

type WillNavigate = { url?: string; preventDefault(): void };

type HardenedSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'webRequest'>;

export function hardenApp(app: Pick<App, 'on'>, session: HardenedSession, shell: Pick<Shell, 'openExternal'>): void {
  app.on('web-contents-created', (_e, contents) => {
    // Electron 41 passes the target as details.url (the positional url argument is deprecated).
    const guard = (details: WillNavigate) => {
      if (!details.url || !isAppPage(details.url)) details.preventDefault();
    };
    contents.on('will-navigate', guard);
    contents.on('will-frame-navigate', guard);
    contents.on('will-redirect', guard);
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
  session.setPermissionRequestHandler((_wc, permission, callback, details) => callback(allowPermissionRequest(permission, details)));
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) => allowPermissionCheck(permission, requestingOrigin, details));
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}
