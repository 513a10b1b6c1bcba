// The client side of the control socket (the CLI, the window's console terminals, `burrow stop`) against a
// socket that sends anything: it must end the connection, never throw in the process that uses it.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrame, encodeFrameHeader, encodeJson, FRAME_DATA, FRAME_JSON } from './control-protocol';
import { ControlClient } from './control-client';

let dir: string;
let server: net.Server;
const saved = process.env.XDG_RUNTIME_DIR;

/** A "supervisor" that sends `bytes` to whoever connects. */
function supervisorSending(bytes: Buffer): void {
  server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.write(bytes);
  });
  server.listen(path.join(dir, 'burrow/web/control.sock'));
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-client-test-'));
  fs.mkdirSync(path.join(dir, 'burrow/web'), { recursive: true });
  fs.chmodSync(path.join(dir, 'burrow'), 0o700);
  process.env.XDG_RUNTIME_DIR = dir;
});
afterEach(() => {
  server?.close();
  process.env.XDG_RUNTIME_DIR = saved;
  fs.rmSync(dir, { recursive: true, force: true });
});

function listen(): Promise<{ statuses: unknown[]; data: number; errors: string[] }> {
  const seen = { statuses: [] as unknown[], data: 0, errors: [] as string[] };
  return new Promise((resolve, reject) => {
    ControlClient.connect('web', {
      onStatus: (s) => seen.statuses.push(s),
      onData: (d) => (seen.data += d.length),
      onError: (m) => seen.errors.push(m),
      onClose: () => resolve(seen),
    }).then((c) => setTimeout(() => c.close(), 100), reject);
  });
}

describe('a control client', () => {
  it.each([
    ['a header announcing 4 GiB', Buffer.from([FRAME_DATA, 0xff, 0xff, 0xff, 0xff])],
    ['a frame over the limit', encodeFrameHeader(FRAME_DATA, 2 * 1024 * 1024)],
  ])('closes on %s', async (_label, bytes) => {
    supervisorSending(bytes);
    expect((await listen()).data).toBe(0);
  });

  it.each([
    ['not JSON', encodeFrame(FRAME_JSON, Buffer.from('{"event":'))],
    ['null', encodeFrame(FRAME_JSON, Buffer.from('null'))],
    ['an unknown event', encodeFrame(FRAME_JSON, Buffer.from('{"event":"pwn"}'))],
    ['a status with a state that is not one', encodeFrame(FRAME_JSON, Buffer.from('{"event":"status","status":{"name":"web","state":{"x":1}}}'))],
    ['a status without a status', encodeFrame(FRAME_JSON, Buffer.from('{"event":"status"}'))],
    ['an unknown frame type', encodeFrame(7, Buffer.from('{}'))],
  ])('ignores %s', async (_label, bytes) => {
    supervisorSending(Buffer.concat([bytes, encodeJson({ event: 'status', status: { name: 'web', state: 'running' } })]));
    expect((await listen()).statuses).toEqual([{ name: 'web', state: 'running' }]);
  });

  it('hands on what the supervisor refused', async () => {
    supervisorSending(encodeJson({ event: 'error', message: 'more than 32 clients at once' }));
    expect((await listen()).errors).toEqual(['more than 32 clients at once']);
  });

  it('sends a long paste in frames the supervisor accepts', async () => {
    const frames: number[] = [];
    server = net.createServer((s) => s.on('data', (d) => frames.push(d.length)));
    server.listen(path.join(dir, 'burrow/web/control.sock'));
    const client = await ControlClient.connect('web', {});
    client.input(Buffer.alloc(200 * 1024, 0x61));
    await new Promise((r) => setTimeout(r, 100));
    client.close();
    expect(frames.reduce((a, b) => a + b, 0)).toBe(200 * 1024 + 7 * 5);
  });
});
