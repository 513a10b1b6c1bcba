// Fuzzing the web host in process: thousands of random and malformed HTTP requests and WebSocket
// messages (seeded, so a failure replays), after which it must still answer a valid call. A crash, an
// unhandled rejection or a hang fails the run.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callSchemas } from '../contract/api';
import { connectApi, rawHttp, startTestHost, statusOfReply, type ApiClient, type TestHost } from './web-test-helpers';

/** mulberry32: small, seeded, good enough to pick test cases. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.BURROW_FUZZ_SEED ?? 1207);
const random = prng(SEED);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
const text = (n: number) => bytes(n).toString('latin1');

// Calls that would start real work with arguments that happen to be valid (build or import an image,
// scan a folder, probe the host) are left out; every other call gets garbage.
const SLOW = new Set(['images.create', 'images.import', 'rootfs.inspect', 'host.doctor']);
const CALLS = [...Object.keys(callSchemas).filter((c) => !SLOW.has(c)), 'no.such', '__proto__', 'constructor', 'toString', ''];

function randomJson(depth = 0): unknown {
  switch (int(depth > 2 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return random() * 2 ** int(64) * (random() < 0.5 ? -1 : 1);
    case 2:
      return random() < 0.5;
    case 3:
      return text(int(40));
    case 4:
      return pick(['', 'web', '../etc', '/', 'a'.repeat(int(5000)), '\u001b]52;c;aGk=\u0007', '\u202e']);
    case 5:
      return Array.from({ length: int(5) }, () => randomJson(depth + 1));
    case 6:
      return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(['id', 'call', 'args', '__proto__', text(5)]), randomJson(depth + 1)]));
    default:
      return { name: pick(['web', text(8)]), rootfs: pick(['/', text(10)]), version: randomJson(depth + 1) };
  }
}

function randomRequest(host: TestHost): Buffer {
  if (random() < 0.1) return bytes(int(2000));
  const method = pick(['GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'BREW', text(6)]);
  const path = pick([
    () => '/' + text(int(200)),
    () => '/' + Array.from({ length: int(20) }, () => `%${int(256).toString(16).padStart(2, '0')}`).join(''),
    () => `/%${text(2)}`,
    () => `/?token=${text(int(40))}`,
    () => '/session',
    () => '/api',
    () => '/' + 'x'.repeat(int(40_000)),
    () => pick(['//', '/..', '/../../etc/passwd', '/index.html', 'http://evil.example/', '*', '']),
  ])();
  const headers = [
    pick([`Host: 127.0.0.1:${host.port}`, `Host: localhost:${host.port}`, 'Host: evil.example', '', `Host: ${text(20)}`]),
    pick(['', `Cookie: ${host.cookie}`, `Cookie: ${text(30)}`, `Cookie: ${host.cookie.split('=')[0]}=${text(10)}`]),
    pick(['', 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ' + text(10), `Origin: ${host.origin}`]),
    pick(['', 'Content-Length: 5', 'Content-Length: -1', 'Transfer-Encoding: chunked', `X-${text(5)}: ${text(int(100))}`]),
  ].filter(Boolean);
  return Buffer.concat([Buffer.from(`${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\nConnection: close\r\n\r\n`, 'latin1'), bytes(int(50))]);
}

function sendRandomMessage(api: ApiClient): void {
  const roll = random();
  if (roll < 0.6)
    api.ws.send(JSON.stringify({ id: int(1e6), call: pick(CALLS), args: random() < 0.8 ? Array.from({ length: int(4) }, () => randomJson()) : randomJson() }));
  else if (roll < 0.75) api.ws.send(JSON.stringify(randomJson()));
  else if (roll < 0.85) api.ws.send(text(int(100)));
  else if (roll < 0.92) api.ws.send(bytes(int(100)), { binary: false });
  else if (roll < 0.99) api.ws.send(bytes(int(100)), { binary: true });
  else api.ws.send(Buffer.alloc(1024 * 1024 + 1, 0x20), { binary: false });
}

let host: TestHost;
beforeAll(async () => {
  host = await startTestHost();
});
afterAll(() => host.cleanup());

it(`survives 2000 random HTTP requests and 2000 random API messages (seed ${SEED})`, async () => {
  const requests = Array.from({ length: 2000 }, () => randomRequest(host));
  let next = 0;
  await Promise.all(
    Array.from({ length: 40 }, async () => {
      while (next < requests.length) await rawHttp(host.port, requests[next++]!, 300);
    }),
  );

  let api = await connectApi(host);
  for (let i = 0; i < 2000; i++) {
    if (api.ws.readyState !== api.ws.OPEN) api = await connectApi(host);
    sendRandomMessage(api);
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  api.ws.close();

  expect(statusOfReply(await rawHttp(host.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: close\r\n\r\n`))).toBe(200);
  const fresh = await connectApi(host);
  expect((await fresh.call('host.info')).result).toMatchObject({ transport: 'web' });
  expect((await fresh.call('machines.list')).result).toEqual({ machines: [], broken: [] });
  fresh.ws.close();
}, 60_000);
