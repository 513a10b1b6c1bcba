// The readiness socket: a datagram socket bound where the machine sees /run/host/notify. systemd sends
// READY=1 when boot completes, STATUS= while it works, STOPPING=1 when it shuts down.
import * as fs from 'node:fs';
import type { Disposable } from '../engine/disposable';
import { bindDatagramSocket } from '../engine/unix-datagram';

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
  const socket = bindDatagramSocket(socketPath, (msg) => onMessage(parseNotify(msg.toString('utf8'))));
  fs.chmodSync(socketPath, 0o600);
  return socket;
}
