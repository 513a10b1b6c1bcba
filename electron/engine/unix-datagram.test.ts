// The datagram sockets behind the readiness socket and sd_notify, on real AF_UNIX sockets: boundaries
// kept, hostile paths and floods refused or bounded, close that really stops.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindDatagramSocket, sendDatagram } from './unix-datagram';

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-dgram-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};
const codeOf = (fn: () => void): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
  return undefined;
};

describe('datagram sockets', () => {
  it('deliver each datagram whole and apart, empty ones included, and nothing after close', async () => {
    const at = path.join(dir, 'whole.sock');
    const got: string[] = [];
    const socket = bindDatagramSocket(at, (d) => got.push(d.toString('utf8')));
    sendDatagram(at, 'READY=1');
    sendDatagram(at, Buffer.from('STATUS=Startup finished\nX_SYSTEMD_UNIT_ACTIVE=graphical.target'));
    sendDatagram(at, '');
    sendDatagram(at, 'ü\u0000\u001b[2J');
    await until(() => got.length === 4);
    expect(got).toEqual(['READY=1', 'STATUS=Startup finished\nX_SYSTEMD_UNIT_ACTIVE=graphical.target', '', 'ü\u0000\u001b[2J']);
    socket.dispose();
    socket.dispose();
    expect(codeOf(() => sendDatagram(at, 'late'))).toBe('ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toHaveLength(4);
  });

  it('reach an abstract socket (sd_notify allows NOTIFY_SOCKET=@name), and refuse to bind one', async () => {
    const name = `@burrow-test-${process.pid}-${Date.now()}`;
    expect(codeOf(() => bindDatagramSocket(name, () => undefined))).toBe('EINVAL');
    expect(codeOf(() => sendDatagram(name, 'READY=1'))).toBe('ECONNREFUSED');
  });

  it('give a clear error for hostile or impossible paths, never a crash or a truncated path', () => {
    const at = path.join(dir, 'errors.sock');
    expect(codeOf(() => sendDatagram(path.join(dir, 'nobody-listens.sock'), 'x'))).toBe('ENOENT');
    expect(codeOf(() => sendDatagram(`${dir}/a\u0000b`, 'x'))).toBe('EINVAL');
    expect(codeOf(() => sendDatagram('', 'x'))).toBe('EINVAL');
    expect(codeOf(() => sendDatagram(`/${'x'.repeat(200)}`, 'x'))).toBe('ENAMETOOLONG');
    expect(codeOf(() => bindDatagramSocket(`/${'x'.repeat(5000)}`, () => undefined))).toBe('ENAMETOOLONG');
    expect(codeOf(() => bindDatagramSocket(path.join(dir, 'no-such-dir', 's.sock'), () => undefined))).toBe('ENOENT');
    const socket = bindDatagramSocket(at, () => undefined);
    expect(codeOf(() => bindDatagramSocket(at, () => undefined))).toBe('EADDRINUSE');
    expect(codeOf(() => sendDatagram(at, 42 as never))).toBe('EINVAL');
    socket.dispose();
    try {
      sendDatagram(`/${'x'.repeat(200)}`, 'x');
    } catch (e) {
      expect((e as Error).message).toMatch(/socket path too long: 201 bytes/);
    }
  });

  it('drop a datagram over 64 KiB and keep serving; a flood waits in the kernel, the sender gets EAGAIN', async () => {
    const at = path.join(dir, 'flood.sock');
    const got: number[] = [];
    const socket = bindDatagramSocket(at, (d) => got.push(d.length));
    sendDatagram(at, Buffer.alloc(100 * 1024, 0x41));
    sendDatagram(at, 'after');
    await until(() => got.length === 1);
    expect(got).toEqual([5]);
    // Stall the JS thread while a sender floods: the queue in between is bounded, so the sender hits EAGAIN.
    let sent = 0;
    let refused: string | undefined;
    const start = Date.now();
    while (!refused && Date.now() - start < 10_000) {
      refused = codeOf(() => sendDatagram(at, 'STATUS=flood'));
      if (!refused) sent++;
    }
    expect(refused).toBe('EAGAIN');
    await until(() => got.length === 1 + sent, 10_000);
    socket.dispose();
    expect(sent).toBeLessThan(5000);
  });
});
