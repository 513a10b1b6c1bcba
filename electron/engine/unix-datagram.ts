// AF_UNIX datagram sockets, which Node's dgram module lacks: the readiness socket a machine's systemd
// reports to (READY=1, STATUS=...), and sd_notify-style messages to a socket such as $NOTIFY_SOCKET.
// The addon (native/unix-dgram) is written against Node-API only, so the build `npm ci` makes loads in
// Node and in Electron alike; it is required on first use, so commands that never touch a socket skip it.
import type { Disposable } from './disposable';

type Native = typeof import('@burrow/unix-dgram');
let native: Native | undefined;
const addon = (): Native => (native ??= require('@burrow/unix-dgram') as Native);

/**
 * Binds a receiving socket at `socketPath` (a file that must not exist yet) and calls onMessage for
 * every datagram. Datagrams over 64 KiB are dropped; a flood waits in the kernel's queue, not in ours.
 */
export function bindDatagramSocket(socketPath: string, onMessage: (datagram: Buffer) => void): Disposable {
  const socket = addon().bind(socketPath, onMessage);
  return { dispose: () => socket.close() };
}

/**
 * Sends one datagram without blocking (for example `READY=1` to `$NOTIFY_SOCKET`; a path that starts
 * with '@' names an abstract socket, as sd_notify(3) allows). Throws an Error whose `code` is the errno
 * name: ENOENT or ECONNREFUSED when nobody listens, EAGAIN when the receiver's queue is full.
 */
export function sendDatagram(socketPath: string, data: Buffer | string): void {
  addon().send(socketPath, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
}
