// The web host against what a local user or a web page in the user's browser can send it. Each case
// used to end the process (GET /%C0, a null message, invalid UTF-8) or had no limit (a page that stops
// reading); each is now answered or closes that one connection, and the host keeps serving.
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectApi, rawHttp, startTestHost, statusOfReply, type TestHost } from './web-test-helpers';

let host: TestHost;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(() => host.cleanup());

const get = (path: string, headers = '') => rawHttp(host.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n${headers}Connection: close\r\n\r\n`);

async function stillServes(): Promise<void> {
  expect(statusOfReply(await get('/'))).toBe(200);
  const api = await connectApi(host);
  expect((await api.call('host.info')).result).toMatchObject({ transport: 'web' });
  api.ws.close();
}

describe('hostile HTTP requests', () => {
  it.each([
    ['bad percent-encoding', 'GET /%C0 HTTP/1.1', 400],
    ['a percent-encoded NUL', 'GET /%00 HTTP/1.1', 400],
    ['a path with only slashes', 'GET // HTTP/1.1', 400],
    ['a path out of the folder', 'GET /../../etc/passwd HTTP/1.1', 404],
    ['an encoded path out of the folder', 'GET /..%2f..%2fetc%2fpasswd HTTP/1.1', 404],
    ['a huge path', `GET /${'a'.repeat(100_000)} HTTP/1.1`, 431],
    ['a POST', 'POST / HTTP/1.1', 405],
    ['garbage', '\u0000\u00ff\u0001 nonsense', 400],
  ])('answers %s with an error and goes on serving', async (_label, line, status) => {
    const answer = await rawHttp(host.port, `${line}\r\nHost: 127.0.0.1:${host.port}\r\nConnection: close\r\n\r\n`);
    expect(statusOfReply(answer)).toBe(status);
    await stillServes();
  });

  it('refuses a Host header other than its own address (DNS rebinding)', async () => {
    const answer = await rawHttp(host.port, `GET / HTTP/1.1\r\nHost: evil.example:${host.port}\r\nConnection: close\r\n\r\n`);
    expect(statusOfReply(answer)).toBe(403);
    expect(answer).toMatch(/answers only to 127\.0\.0\.1:\d+ and localhost:\d+/);
  });
});

describe('the token', () => {
  it('is traded for an HttpOnly, SameSite=Strict cookie and a redirect that leaves it out of the address bar', async () => {
    const answer = await get(`/?token=${host.token}`);
    expect(statusOfReply(answer)).toBe(303);
    expect(answer).toMatch(/^location: \/\r$/im);
    const cookie = /^set-cookie: (.*)\r$/im.exec(answer)?.[1] ?? '';
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).not.toContain(host.token);
  });

  it('is refused when wrong, with a short text', async () => {
    const answer = await get('/?token=guess');
    expect(statusOfReply(answer)).toBe(403);
    expect(answer).toMatch(/open the URL that burrow serve printed/);
  });

  it('tells a page whether it is signed in', async () => {
    expect(statusOfReply(await get('/session'))).toBe(401);
    expect(statusOfReply(await get('/session', `Cookie: ${host.cookie}\r\n`))).toBe(204);
  });
});

describe('who may open the API', () => {
  it('is the page with the session cookie, or a client with the token', async () => {
    (await connectApi(host)).ws.close();
    (await connectApi(host, { cookie: null, query: `?token=${host.token}` })).ws.close();
  });

  it.each([
    ['no cookie and no token', { cookie: null }, 401],
    ['a wrong cookie', { cookie: 'burrow-1=x' }, 401],
    ['another Origin', { origin: 'http://evil.example' }, 403],
    ['a DNS-rebound Host', { hostHeader: 'evil.example:1' }, 403],
  ])('refuses %s', async (_label, opts, status) => {
    await expect(connectApi(host, opts as never)).rejects.toThrow(`refused: ${status}`);
  });
});

describe('hostile API messages', () => {
  it.each([
    ['null', 'null'],
    ['a number', '42'],
    ['an array', '[1, 2, 3]'],
    ['a string', '"machines.list"'],
    ['not JSON', '{"id": 1, '],
    ['an object without an id', '{"call": "machines.list", "args": []}'],
  ])('closes the connection that sends %s', async (_label, text) => {
    const api = await connectApi(host);
    api.ws.send(text);
    expect((await api.closed).code).toBe(1008);
    await stillServes();
  });

  it('answers unknown calls and bad arguments with an error', async () => {
    const api = await connectApi(host);
    expect((await api.call('no.such.call')).error?.message).toMatch(/unknown call/);
    expect((await api.call('__proto__')).error?.message).toMatch(/unknown call/);
    expect((await api.call('machines.get', [{}])).error?.message).toMatch(/invalid arguments/);
    expect((await api.call('machines.get', 'not-an-array' as never)).error?.message).toMatch(/invalid arguments/);
    api.ws.close();
  });

  it.each([
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }, 1007],
    ['a binary message', Buffer.from([1, 2, 3]), { binary: true }, 1003],
    ['a frame over the size limit', Buffer.alloc(2 * 1024 * 1024, 0x20), { binary: false }, 1009],
  ])('closes the connection that sends %s', async (_label, data, opts, code) => {
    const api = await connectApi(host);
    api.ws.send(data, opts);
    expect((await api.closed).code).toBe(code);
    await stillServes();
  });
});

/** A WebSocket client that completes the handshake and then never reads again. */
function nonReadingClient(): Promise<{ socket: net.Socket; send(text: string): void }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(host.port, '127.0.0.1');
    let head = '';
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head));
      socket.pause();
      resolve({
        socket,
        // Masked with a zero key: the payload goes as it is.
        send: (text) => {
          const payload = Buffer.from(text);
          const header = Buffer.alloc(14);
          header[0] = 0x81;
          header[1] = 0x80 | 127;
          header.writeBigUInt64BE(BigInt(payload.length), 2);
          socket.write(Buffer.concat([header, payload]));
        },
      });
    });
    socket.write(
      `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nOrigin: ${host.origin}\r\nCookie: ${host.cookie}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${Buffer.alloc(16, 7).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

describe('a client that stops reading', () => {
  it('is dropped once its unread output passes the limit, and the others are served', async () => {
    const client = await nonReadingClient();
    const closed = new Promise<string>((r) => client.socket.once('close', () => r('closed')));
    // Each unknown call's error repeats its 900 KB name: 36 MB of replies that nobody reads.
    const name = 'x'.repeat(900 * 1024);
    for (let i = 0; i < 40; i++) client.send(JSON.stringify({ id: i, call: name, args: [] }));
    const outcome = await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('still open after 3 s'), 3000))]);
    client.socket.destroy();
    expect(outcome).toBe('closed');
    await stillServes();
  });
});
