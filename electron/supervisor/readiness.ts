// The readiness socket: a datagram socket bound where the machine sees /run/host/notify. systemd sends
// READY=1 when boot completes, STATUS= while it works, STOPPING=1 when it shuts down.
import * as fs from 'node:fs';
import type { Disposable } from '../engine/disposable';

// unix-dgram is a small native addon: Node's dgram module has no AF_UNIX datagram sockets.
const unixDgram = require('unix-dgram') as {
  createSocket(type: 'unix_dgram', listener?: (msg: Buffer) => void): { bind(path: string): void; close(): void; on(ev: 'error', cb: (e: Error) => void): void };
};

export interface NotifyMessage {
  ready: boolean;
  stopping: boolean;
  status?: string;
  fields: Record<string, string>;
}

export function parseNotify(datagram: string): NotifyMessage {
  const fields: Record<string, string> = {};
  for (const line of datagram.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { ready: fields.READY === '1', stopping: fields.STOPPING === '1', status: fields.STATUS, fields };
}

export function listenForNotify(socketPath: string, onMessage: (m: NotifyMessage) => void): Disposable {
  fs.rmSync(socketPath, { force: true });
  const socket = unixDgram.createSocket('unix_dgram', (msg) => onMessage(parseNotify(msg.toString('utf8'))));
  socket.on('error', () => undefined);
  socket.bind(socketPath);
  fs.chmodSync(socketPath, 0o600);
  return { dispose: () => socket.close() };
}
