// The supervisor's control socket speaks frames (this file is the protocol both ends import: the engine's
// client and the supervisor's server): one type byte, a 4-byte big-endian length, the payload.
// JSON frames carry requests and events; data frames carry console bytes untouched (no base64, no JSON).
// Each side checks what it reads: frame sizes per direction, and messages against the shapes below.
import { MACHINE_STATES, type MachineStatus } from '../contract/machine-state';

export const FRAME_JSON = 1;
export const FRAME_DATA = 2;
export const FRAME_HEADER = 5;
/** Client to supervisor: small requests and typed keys. */
export const MAX_REQUEST_FRAME = 64 * 1024;
/** Supervisor to client: status events and console chunks (a pty read is at most 64 KiB; replay sends the history chunk by chunk). */
export const MAX_EVENT_FRAME = 1024 * 1024;

export type ClientMessage =
  { op: 'hello'; attach: boolean; replay: boolean } | { op: 'resize'; cols: number; rows: number } | { op: 'stop' } | { op: 'kill' } | { op: 'status' };

export type SupervisorMessage = { event: 'status'; status: MachineStatus } | { event: 'replay-done' } | { event: 'error'; message: string };

export function encodeFrameHeader(type: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(length, 1);
  return header;
}

export function encodeFrame(type: number, payload: Buffer): Buffer {
  return Buffer.concat([encodeFrameHeader(type, payload.length), payload]);
}

export const encodeJson = (value: ClientMessage | SupervisorMessage): Buffer => encodeFrame(FRAME_JSON, Buffer.from(JSON.stringify(value)));
export const encodeData = (data: Buffer | string): Buffer => encodeFrame(FRAME_DATA, typeof data === 'string' ? Buffer.from(data) : data);

/** Reassembles frames from stream chunks; throws on a frame larger than `maxFrame` (as soon as its header arrives). */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  constructor(
    private readonly onFrame: (type: number, payload: Buffer) => void,
    private readonly maxFrame = MAX_EVENT_FRAME,
  ) {}

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    if (this.pendingLength < FRAME_HEADER) return;
    let buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    let offset = 0;
    while (buf.length - offset >= FRAME_HEADER) {
      const type = buf.readUInt8(offset);
      const length = buf.readUInt32BE(offset + 1);
      if (length > this.maxFrame) throw new Error(`control frame of ${length} bytes exceeds the limit of ${this.maxFrame}`);
      if (buf.length - offset < FRAME_HEADER + length) break;
      this.onFrame(type, buf.subarray(offset + FRAME_HEADER, offset + FRAME_HEADER + length));
      offset += FRAME_HEADER + length;
    }
    buf = buf.subarray(offset);
    this.pending = buf.length ? [buf] : [];
    this.pendingLength = buf.length;
  }
}

function parseObject(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isSize = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) < 1000;

/**
 * A request as the supervisor may act on it; 'invalid' for an object that is not one (answered with an
 * error), undefined for a payload that is not a JSON object at all (the client is dropped).
 */
export function parseClientMessage(payload: Buffer): ClientMessage | 'invalid' | undefined {
  const m = parseObject(payload);
  if (!m) return undefined;
  switch (m.op) {
    case 'hello':
      return typeof m.attach === 'boolean' && typeof m.replay === 'boolean' ? { op: 'hello', attach: m.attach, replay: m.replay } : 'invalid';
    case 'resize':
      return isSize(m.cols) && isSize(m.rows) ? { op: 'resize', cols: m.cols, rows: m.rows } : 'invalid';
    case 'stop':
    case 'kill':
    case 'status':
      return { op: m.op };
    default:
      return 'invalid';
  }
}

function isStatus(v: unknown): v is MachineStatus {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  const optional = (key: string, type: string) => s[key] === undefined || typeof s[key] === type;
  return (
    typeof s.name === 'string' &&
    MACHINE_STATES.includes(s.state as never) &&
    ['statusText', 'startedAt', 'readyAt', 'message'].every((k) => optional(k, 'string')) &&
    ['pid1', 'supervisorPid', 'bootMs', 'exitCode'].every((k) => optional(k, 'number')) &&
    (s.failedUnits === undefined || (Array.isArray(s.failedUnits) && s.failedUnits.every((u) => typeof u === 'string')))
  );
}

/** An event as a client may act on it; undefined for anything else (unknown events are ignored). */
export function parseSupervisorMessage(payload: Buffer): SupervisorMessage | undefined {
  const m = parseObject(payload);
  if (!m) return undefined;
  if (m.event === 'status') return isStatus(m.status) ? { event: 'status', status: m.status } : undefined;
  if (m.event === 'replay-done') return { event: 'replay-done' };
  if (m.event === 'error') return typeof m.message === 'string' ? { event: 'error', message: m.message } : undefined;
  return undefined;
}
