// Who may use the web host. The token is printed on stdout (the user's own) and written to a private
// redirect page; the page's first request trades it for an HttpOnly, SameSite=Strict cookie and is sent
// on to `/`, so the token leaves the address bar at once. The API's WebSocket then needs that cookie (or
// the token, for scripts), an Origin of this host's own page, and a Host header naming 127.0.0.1 or
// localhost on our port: a DNS-rebound name (evil.example resolving to 127.0.0.1) is refused outright.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface Refusal {
  status: 401 | 403;
  text: string;
}

export function sameSecret(given: string | null | undefined, secret: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Values of one cookie in a Cookie header (a browser may send the same name more than once). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

export class WebAuth {
  readonly token: string;
  /** What the cookie carries: not the token itself, and new at every start. */
  private readonly session = randomBytes(24).toString('base64url');
  /** Set once the server listens; every check below names it. */
  port = 0;

  constructor(token?: string) {
    this.token = token ?? randomBytes(24).toString('base64url');
  }

  /** Cookies ignore ports: two web hosts on one machine each keep their own. */
  get cookieName(): string {
    return `burrow-${this.port}`;
  }

  sessionCookie(): string {
    return `${this.cookieName}=${this.session}; HttpOnly; SameSite=Strict; Path=/`;
  }

  hostAllowed(req: IncomingMessage): boolean {
    return [`127.0.0.1:${this.port}`, `localhost:${this.port}`].includes(req.headers.host ?? '');
  }

  originAllowed(req: IncomingMessage): boolean {
    return [`http://127.0.0.1:${this.port}`, `http://localhost:${this.port}`].includes(req.headers.origin ?? '');
  }

  hasSession(req: IncomingMessage): boolean {
    return cookieValues(req.headers.cookie, this.cookieName).some((v) => sameSecret(v, this.session));
  }

  /** Why a request to the API is refused, or undefined when it may go on. */
  refuseApi(req: IncomingMessage, url: URL): Refusal | undefined {
    if (!this.hostAllowed(req)) return hostRefusal(this.port);
    if (!this.originAllowed(req)) return { status: 403, text: 'only the Burrow page served from this address may use its API' };
    if (!this.hasSession(req) && !sameSecret(url.searchParams.get('token'), this.token)) {
      return { status: 401, text: 'not signed in: open the URL that burrow serve printed (its token changes each time it starts)' };
    }
    return undefined;
  }
}

export function hostRefusal(port: number): Refusal {
  return { status: 403, text: `this web host answers only to 127.0.0.1:${port} and localhost:${port}` };
}
