// The readiness socket: a datagram socket bound where the machine sees /run/host/notify. systemd sends
// READY=1 when boot completes, STATUS= while it works, STOPPING=1 when it shuts down.
import * as fs from 'node:fs';
import type { Disposable } from '../engine/disposable';
import { bindDatagramSocket, sendDatagram } from '../engine/unix-datagram';

export interface NotifyMessage {
  ready: boolean;
  stopping: boolean;
  status?: string;
  fields: Record<string, string>;
}

/** systemd's messages are a few hundred bytes; the rest of a longer datagram is not read. */
export const MAX_NOTIFY_BYTES = 4096;
/** STATUS= is a line for people ("Startup finished in 435ms."): longer text is cut here. */
export const MAX_STATUS_CHARS = 200;

/** Text from the guest, cut to `max` characters (whole code points) with an ellipsis. */
export function boundText(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text.length > max * 2 ? text.slice(0, max * 2) : text);
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : chars.join('');
}

export function parseNotify(datagram: string): NotifyMessage {
  const fields: Record<string, string> = Object.create(null);
  for (const line of datagram.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const status = fields.STATUS === undefined ? undefined : boundText(fields.STATUS, MAX_STATUS_CHARS);
  return { ready: fields.READY === '1', stopping: fields.STOPPING === '1', status, fields };
}

export function listenForNotify(socketPath: string, onMessage: (m: NotifyMessage) => void): Disposable {
  fs.rmSync(socketPath, { force: true });
  const socket = bindDatagramSocket(socketPath, (msg) => onMessage(parseNotify(msg.subarray(0, MAX_NOTIFY_BYTES).toString('utf8'))));
  fs.chmodSync(socketPath, 0o600);
  return socket;
}

/**
 * sd_notify(3) to the user's systemd, where the supervisor runs as a Type=notify unit: READY=1 once the
 * machine is up, STOPPING=1, STATUS=. A datagram to $NOTIFY_SOCKET (a path, or `@name` in the abstract
 * namespace, which sendDatagram understands); nothing happens outside a unit.
 */
export function notifyManager(message: string, socketPath = process.env.NOTIFY_SOCKET): void {
  if (!socketPath) return;
  try {
    sendDatagram(socketPath, message);
  } catch {
    /* the manager is gone (it is stopping): nothing to tell */
  }
}
