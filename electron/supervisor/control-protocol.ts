// The supervisor's control socket speaks frames: one type byte, a 4-byte big-endian length, the payload.
// JSON frames carry requests and events; data frames carry console bytes untouched (no base64, no JSON).
import type { MachineStatus } from '../contract/machine-state';

export const FRAME_JSON = 1;
export const FRAME_DATA = 2;
const HEADER = 5;
export const MAX_FRAME = 16 * 1024 * 1024;

export type ClientMessage =
  | { op: 'hello'; attach: boolean; replay: boolean }
  | { op: 'resize'; cols: number; rows: number }
  | { op: 'stop' }
  | { op: 'kill' }
  | { op: 'status' };

export type SupervisorMessage =
  | { event: 'status'; status: MachineStatus }
  | { event: 'replay-done' }
  | { event: 'error'; message: string };

export function encodeFrame(type: number, payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(HEADER);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

export const encodeJson = (value: ClientMessage | SupervisorMessage): Buffer => encodeFrame(FRAME_JSON, Buffer.from(JSON.stringify(value)));
export const encodeData = (data: Buffer | string): Buffer => encodeFrame(FRAME_DATA, typeof data === 'string' ? Buffer.from(data) : data);

/** Reassembles frames from stream chunks. */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  constructor(private readonly onFrame: (type: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    if (this.pendingLength < HEADER) return;
    let buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    let offset = 0;
    while (buf.length - offset >= HEADER) {
      const type = buf.readUInt8(offset);
      const length = buf.readUInt32BE(offset + 1);
      if (length > MAX_FRAME) throw new Error(`control frame of ${length} bytes exceeds the limit`);
      if (buf.length - offset < HEADER + length) break;
      this.onFrame(type, buf.subarray(offset + HEADER, offset + HEADER + length));
      offset += HEADER + length;
    }
    buf = buf.subarray(offset);
    this.pending = buf.length ? [buf] : [];
    this.pendingLength = buf.length;
  }
}
