// For the web host's tests: a host in a private temporary XDG home, raw HTTP exchanges, and API clients
// that present themselves as the page would (cookie and Origin) or as anything else.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { startWebHost, type WebHost } from './server';

export interface TestHost extends WebHost {
  /** The Cookie header the page gets after trading its token. */
  cookie: string;
  origin: string;
  cleanup(): Promise<void>;
}

export async function startTestHost(): Promise<TestHost> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-web-test-'));
  for (const [v, d] of [
    ['XDG_CONFIG_HOME', 'config'],
    ['XDG_DATA_HOME', 'data'],
    ['XDG_RUNTIME_DIR', 'run'],
  ] as const) {
    process.env[v] = path.join(home, d);
    fs.mkdirSync(process.env[v]!, { mode: 0o700 });
  }
  const staticDir = path.join(home, 'static');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Burrow</title>');
  const host = await startWebHost({ port: 0, staticDir });
  const exchange = await rawHttp(host.port, `GET /?token=${host.token} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: close\r\n\r\n`);
  const cookie = /^set-cookie: ([^;\r\n]+)/im.exec(exchange)?.[1];
  if (!cookie) throw new Error(`no session cookie in:\n${exchange}`);
  return {
    ...host,
    cookie,
    origin: `http://127.0.0.1:${host.port}`,
    cleanup: async () => {
      await host.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Sends bytes as they are and resolves with whatever came back before the server closed (or the time ran out). */
export function rawHttp(port: number, request: string | Buffer, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('error', done);
    socket.on('close', done);
    socket.write(request);
  });
}

export const statusOfReply = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

export interface ApiClient {
  ws: WebSocket;
  call(name: string, args?: unknown[]): Promise<{ result?: unknown; error?: { message: string } }>;
  closed: Promise<{ code: number }>;
}

/** A WebSocket to /api; by default with the session cookie and the page's Origin. */
export function connectApi(host: TestHost, opts: { cookie?: string | null; origin?: string; hostHeader?: string; query?: string } = {}): Promise<ApiClient> {
  const headers: Record<string, string> = { Origin: opts.origin ?? host.origin };
  const cookie = opts.cookie === undefined ? host.cookie : opts.cookie;
  if (cookie) headers.Cookie = cookie;
  if (opts.hostHeader) headers.Host = opts.hostHeader;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api${opts.query ?? ''}`, { headers });
  const replies = new Map<number, (m: { result?: unknown; error?: { message: string } }) => void>();
  let next = 1;
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id !== undefined) replies.get(msg.id)?.(msg);
  });
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        closed,
        call: (name, args = []) =>
          new Promise((r) => {
            const id = next++;
            replies.set(id, r);
            ws.send(JSON.stringify({ id, call: name, args }));
          }),
      }),
    );
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}
