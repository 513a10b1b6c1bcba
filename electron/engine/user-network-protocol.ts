// What a machine's supervisor and its network's holder say to each other over the holder's socket (in the
// private runtime folder): one JSON object per line, each side checking what it reads. Both ends import it.
//
//   supervisor → holder: join {machine}, attach {pid1}, up, down          holder → supervisor: a reply to
//   join and attach, in order; and at any time a hosts event (the members that are up, by name).
// A connection is a membership: when it closes, the machine has left.
import type { Socket } from 'node:net';
import { MACHINE_NAME_RE } from '../contract/plain';

/** No message of either side comes near this (254 members at about 80 bytes each): anything longer is garbage. */
export const MAX_LINE = 64 * 1024;

export type MemberMessage = { op: 'join'; machine: string } | { op: 'attach'; pid1: number } | { op: 'up' } | { op: 'down' };
export type HostsEntry = [name: string, address: string];
export type HolderMessage =
  | { reply: 'joined'; keeper: number }
  | { reply: 'attached'; address: string }
  | { reply: 'error'; message: string }
  | { event: 'hosts'; entries: HostsEntry[] };

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const isPid = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 1;

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function parseMemberMessage(line: string): MemberMessage | undefined {
  const m = parseObject(line);
  if (m?.op === 'join' && typeof m.machine === 'string' && MACHINE_NAME_RE.test(m.machine)) return { op: 'join', machine: m.machine };
  if (m?.op === 'attach' && isPid(m.pid1)) return { op: 'attach', pid1: m.pid1 };
  if (m?.op === 'up' || m?.op === 'down') return { op: m.op };
  return undefined;
}

export function parseHolderMessage(line: string): HolderMessage | undefined {
  const m = parseObject(line);
  if (m?.reply === 'joined' && isPid(m.keeper)) return { reply: 'joined', keeper: m.keeper };
  if (m?.reply === 'attached' && typeof m.address === 'string' && IPV4.test(m.address)) return { reply: 'attached', address: m.address };
  if (m?.reply === 'error' && typeof m.message === 'string') return { reply: 'error', message: m.message.slice(0, 500) };
  if (m?.event === 'hosts' && Array.isArray(m.entries) && m.entries.length <= 254) {
    const entries = m.entries.filter(
      (e): e is HostsEntry => Array.isArray(e) && e.length === 2 && MACHINE_NAME_RE.test(String(e[0])) && IPV4.test(String(e[1])),
    );
    if (entries.length === m.entries.length) return { event: 'hosts', entries };
  }
  return undefined;
}

/** Splits a stream into lines; a line longer than MAX_LINE is an error (the peer is dropped). */
export class LineReader {
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    this.pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      if (line.length > MAX_LINE) throw new Error(`a line of ${line.length} characters exceeds the limit of ${MAX_LINE}`);
      this.onLine(line);
    }
    if (this.pending.length > MAX_LINE) throw new Error(`a line of more than ${MAX_LINE} characters`);
  }
}

export const encodeLine = (m: MemberMessage | HolderMessage): string => JSON.stringify(m) + '\n';

/** Hands the peer's messages to `handle`; a line that is not one of them, or too long, drops the peer. */
export function readMessages<T>(socket: Socket, parse: (line: string) => T | undefined, handle: (m: T) => void): void {
  const reader = new LineReader((line) => {
    const m = parse(line);
    if (!m) throw new Error('not a message of the protocol');
    handle(m);
  });
  socket.on('data', (d: Buffer) => {
    try {
      reader.push(d);
    } catch {
      socket.destroy();
    }
  });
  socket.on('error', () => socket.destroy());
}
