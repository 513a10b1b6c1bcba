// The web host (`burrow serve`): the built renderer and the API over a WebSocket, on 127.0.0.1 only,
// for headless hosts reached through an ssh tunnel and for the browser tests. Who may use it: web-auth.ts.
// Every handler survives any input: a request it cannot read is answered 400 (or the socket closed),
// never thrown, because any local user and any web page in the user's browser can send one.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import * as path from 'node:path';
import { WebSocketServer } from 'ws';
import { serveApiConnection } from './api-connection';
import { CONTENT_SECURITY_POLICY } from '../contract/csp';
import { hostRefusal, sameSecret, WebAuth, type Refusal } from './web-auth';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** A WebSocket message larger than this closes its connection (the largest real call, a profile, is a few KiB). */
const MAX_MESSAGE = 1024 * 1024;
/** API connections at once (they share one machine watcher): a window per browser tab, and a few scripts. */
const MAX_API_CONNECTIONS = 32;
/** Open TCP connections at once: keeps a flood from using up the file descriptors machines need. */
const MAX_CONNECTIONS = 256;

const PAGE_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function reply(res: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...PAGE_HEADERS, ...headers }).end(text + '\n');
}

function refuse(res: http.ServerResponse, refusal: Refusal): void {
  reply(res, refusal.status, refusal.text);
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  const reason = http.STATUS_CODES[status] ?? 'Error';
  const headers = `Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}`;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${headers}\r\n\r\n${text}`);
}

/** The request's path, decoded; undefined for one that is not a valid URL or percent-encoding. */
function requestPath(req: http.IncomingMessage): { url: URL; pathname: string } | undefined {
  try {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const pathname = decodeURIComponent(url.pathname);
    return pathname.includes('\0') ? undefined : { url, pathname };
  } catch {
    return undefined;
  }
}

function serveStatic(root: string, pathname: string, res: http.ServerResponse): void {
  const file = path.resolve(root, pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, ''));
  let isFile = false;
  try {
    isFile = file.startsWith(root + path.sep) && fs.statSync(file).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) return reply(res, 404, 'not found');
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', ...PAGE_HEADERS });
  const stream = fs.createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function handleRequest(auth: WebAuth, root: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'only GET and HEAD are served here');
  if (!auth.hostAllowed(req)) return refuse(res, hostRefusal(auth.port));
  const target = requestPath(req);
  if (!target) return reply(res, 400, 'not a valid URL');
  if (target.pathname === '/session') {
    // The page asks this after its WebSocket was refused: signed out (stop retrying) or host gone.
    return auth.hasSession(req) ? void res.writeHead(204, PAGE_HEADERS).end() : reply(res, 401, 'not signed in: open the URL that burrow serve printed');
  }
  const given = target.url.searchParams.get('token');
  if (given !== null && target.pathname === '/') {
    if (!sameSecret(given, auth.token)) {
      return reply(res, 403, 'this link is not valid (any more): open the URL that burrow serve printed; its token changes each time it starts');
    }
    // Trade the token for the cookie and leave the token out of the address bar and the history.
    res.writeHead(303, { ...PAGE_HEADERS, Location: '/', 'Set-Cookie': auth.sessionCookie() }).end();
    return;
  }
  serveStatic(root, target.pathname, res);
}

export function startWebHost(opts: { port?: number; staticDir: string; token?: string }): Promise<WebHost> {
  const auth = new WebAuth(opts.token);
  const root = path.resolve(opts.staticDir);
  const server = http.createServer((req, res) => {
    try {
      handleRequest(auth, root, req, res);
    } catch {
      if (!res.headersSent) reply(res, 400, 'bad request');
      else res.destroy();
    }
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
    refuseUpgrade(socket, err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400, 'bad request');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  wss.on('error', () => undefined);
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      const target = requestPath(req);
      if (!target || target.pathname !== '/api') return refuseUpgrade(socket, 404, 'not found');
      const refusal = auth.refuseApi(req, target.url);
      if (refusal) return refuseUpgrade(socket, refusal.status, refusal.text);
      if (wss.clients.size >= MAX_API_CONNECTIONS) return refuseUpgrade(socket, 503, 'too many connections to this web host');
      wss.handleUpgrade(req, socket, head, (ws) => serveApiConnection(ws));
    } catch {
      socket.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      // Past listening, an error (EMFILE on accept) is one connection's problem, not the host's end.
      server.on('error', (e) => process.stderr.write(`burrow serve: ${e.message}\n`));
      auth.port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${auth.port}/?token=${auth.token}`,
        port: auth.port,
        token: auth.token,
        close: () =>
          new Promise<void>((r) => {
            for (const c of wss.clients) c.terminate();
            wss.close();
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
