// App-wide hardening: no navigation, no new windows (https links, and http links to a machine's port
// forward on this computer, go to the system browser), every permission request denied, CSP on every response.
import type { App, Session, Shell } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../web/csp';

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

export function hardenApp(app: Pick<App, 'on'>, session: Session, shell: Pick<Shell, 'openExternal'>, pageUrl: string): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (url !== pageUrl) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}
