// What a guest's systemd (or anything in the guest) sends to the readiness socket is bounded before use.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendDatagram } from '../engine/unix-datagram';
import { boundText, listenForNotify, MAX_STATUS_CHARS, parseNotify, type NotifyMessage } from './readiness';

describe('notify messages', () => {
  it('read READY, STOPPING and STATUS as systemd sends them', () => {
    expect(parseNotify('READY=1\nSTATUS=Startup finished in 435ms.\n')).toMatchObject({ ready: true, stopping: false, status: 'Startup finished in 435ms.' });
    expect(parseNotify('STOPPING=1')).toMatchObject({ ready: false, stopping: true, status: undefined });
  });

  it('cut a huge STATUS= to a line, on a character boundary', () => {
    const status = parseNotify(`STATUS=${'é'.repeat(MAX_STATUS_CHARS)}${'😀'.repeat(100_000)}`).status!;
    expect(Array.from(status)).toHaveLength(MAX_STATUS_CHARS);
    expect(status.endsWith('…')).toBe(true);
    expect(Buffer.from(status).toString()).toBe(status); // no half of a surrogate pair left over
  });

  it('take field names literally, even __proto__', () => {
    const m = parseNotify('__proto__=x\nconstructor=y\nREADY=1');
    expect(m.ready).toBe(true);
    expect(m.fields.__proto__).toBe('x');
  });

  it('keep short text as it is', () => {
    expect(boundText('Reached target Multi-User System.', 200)).toBe('Reached target Multi-User System.');
  });
});

describe('the readiness socket', () => {
  it('reads systemd notify messages from a socket only its owner may use', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-notify-'));
    const at = path.join(dir, 'notify');
    fs.writeFileSync(at, 'stale');
    const got: NotifyMessage[] = [];
    const socket = listenForNotify(at, (m) => got.push(m));
    expect(fs.statSync(at).mode & 0o777).toBe(0o600);
    sendDatagram(at, 'READY=1\nSTATUS=Startup finished in 435ms.');
    for (const end = Date.now() + 5000; !got.length && Date.now() < end;) await new Promise((r) => setTimeout(r, 5));
    expect(got[0]).toMatchObject({ ready: true, stopping: false, status: 'Startup finished in 435ms.' });
    socket.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
