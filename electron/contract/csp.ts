// One Content-Security-Policy for both builds: no remote code, no inline scripts, no eval.
// connect-src allows the web host's own WebSocket; Electron's burrow://app window has no other origin to reach.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The same policy as a <meta> in renderer/index.html (a test keeps the two equal), for pages that no
 * response header reaches. A <meta> cannot carry frame-ancestors, so it is left out there.
 */
export const META_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors'))
  .join('; ');
