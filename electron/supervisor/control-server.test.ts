// The control socket against clients that misbehave: too many, too big, not requests, never reading,
// asking for the history over and over. Each is answered with an error or dropped; the others go on.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrame, FRAME_DATA, FRAME_JSON } from '../engine/control-protocol';
import { fakeMachine, rawClient, type FakeMachine } from './control-test-helpers';

let machine: FakeMachine;
beforeEach(() => {
  machine = fakeMachine();
});
afterEach(() => machine.cleanup());

async function answersStatus(): Promise<void> {
  const c = await rawClient(machine.socketPath);
  await c.next('status');
  c.json({ op: 'status' });
  expect((await c.next('status')).status).toMatchObject({ name: 'fuzz', state: 'running' });
  c.socket.destroy();
}

describe('requests', () => {
  it('are carried out when they are requests', async () => {
    const c = await rawClient(machine.socketPath);
    c.json({ op: 'resize', cols: 100, rows: 30 });
    c.json({ op: 'stop' });
    c.json({ op: 'status' });
    await c.next('status');
    await c.next('status');
    expect(machine.calls).toEqual(['resize 100x30', 'stop']);
  });

  it.each([
    ['an unknown op', { op: 'reboot' }],
    ['no op', { cols: 1 }],
    ['a resize to nothing', { op: 'resize', cols: 0, rows: 30 }],
    ['a resize with text', { op: 'resize', cols: '80', rows: 30 }],
    ['a huge resize', { op: 'resize', cols: 1e9, rows: 30 }],
    ['a hello without its flags', { op: 'hello' }],
  ])('are answered with an error for %s, and the client may go on', async (_label, request) => {
    const c = await rawClient(machine.socketPath);
    c.json(request);
    expect((await c.next('error')).message).toBe('unknown request');
    expect(machine.calls).toEqual([]);
    c.json({ op: 'status' });
    await c.next('status');
  });

  it.each([
    ['null', encodeFrame(FRAME_JSON, Buffer.from('null'))],
    ['a number', encodeFrame(FRAME_JSON, Buffer.from('7'))],
    ['not JSON', encodeFrame(FRAME_JSON, Buffer.from('{"op":'))],
    ['an unknown frame type', encodeFrame(9, Buffer.from('{}'))],
    ['a frame over 64 KiB', encodeFrame(FRAME_JSON, Buffer.alloc(65 * 1024, 0x20))],
    ['a header announcing 4 GiB', Buffer.from([FRAME_DATA, 0xff, 0xff, 0xff, 0xff])],
  ])('drop the client that sends %s', async (_label, frame) => {
    const c = await rawClient(machine.socketPath);
    c.send(frame);
    await c.closed;
    await answersStatus();
  });
});

describe('limits', () => {
  it('refuse a client past the limit, with the reason', async () => {
    const clients = await Promise.all(Array.from({ length: 32 }, () => rawClient(machine.socketPath)));
    const extra = await rawClient(machine.socketPath);
    expect((await extra.next('error')).message).toMatch(/more than 32 clients at once/);
    await extra.closed;
    expect(machine.server.clientCount).toBe(32);
    clients[0]!.socket.destroy();
    await clients[0]!.closed;
    await new Promise((r) => setTimeout(r, 20));
    await answersStatus();
    for (const c of clients) c.socket.destroy();
  });

  it('replay the history once per client, however often it asks', async () => {
    const c = await rawClient(machine.socketPath);
    for (let i = 0; i < 10; i++) c.json({ op: 'hello', attach: true, replay: true });
    for (let i = 0; i < 10; i++) await c.next('replay-done');
    expect(c.dataBytes).toBe(1024 * 1024);
  });

  it('keep 300 replay requests that nobody reads from filling the memory', async () => {
    const before = process.memoryUsage().rss;
    const clients = [];
    for (let i = 0; i < 300; i++) {
      const c = await rawClient(machine.socketPath, { read: false }).catch(() => undefined);
      if (!c) continue;
      clients.push(c);
      c.json({ op: 'hello', attach: true, replay: true });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(machine.server.clientCount).toBeLessThanOrEqual(32);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    for (const c of clients) c.socket.destroy();
  });

  it('drop a client whose unread output passes the limit', async () => {
    machine.cleanup();
    machine = fakeMachine('fuzz', { maxUnsentBytes: 64 * 1024 });
    const c = await rawClient(machine.socketPath, { read: false });
    const status = encodeFrame(FRAME_JSON, Buffer.from(JSON.stringify({ op: 'status' })));
    for (let i = 0; i < 40; i++) c.send(Buffer.concat(Array.from({ length: 1000 }, () => status)));
    await c.closed;
    await answersStatus();
  });

  it('pause the console while an attached client lags, and resume once it is gone', async () => {
    const c = await rawClient(machine.socketPath, { read: false });
    c.json({ op: 'hello', attach: true, replay: false });
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 200 && !machine.paused; i++) machine.server.console(Buffer.alloc(64 * 1024, 0x42));
    expect(machine.paused).toBe(true);
    c.socket.destroy();
    await c.closed;
    await new Promise((r) => setTimeout(r, 20));
    expect(machine.paused).toBe(false);
  });
});
