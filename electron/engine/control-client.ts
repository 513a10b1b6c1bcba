// A connection to one machine's supervisor: status events, console bytes, requests. Whatever arrives is
// checked before use: a frame over the limit or one that is not a known event closes the connection (the
// caller sees it end), never throws in the CLI, the window's terminals or `burrow stop`.
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { MachineStatus } from '../contract/machine-state';
import { encodeData, encodeJson, FRAME_DATA, FRAME_JSON, FrameDecoder, MAX_EVENT_FRAME, parseSupervisorMessage } from './control-protocol';
import type { ClientMessage } from './control-protocol';
import { BurrowError } from './errors';
import { runtimeFiles } from './runtime-state';

/** Console input per frame, well under the supervisor's limit for a request (MAX_REQUEST_FRAME). */
const INPUT_PIECE = 32 * 1024;

export interface ControlHandlers {
  onStatus?: (status: MachineStatus) => void;
  onData?: (data: Buffer) => void;
  onReplayDone?: () => void;
  /** The supervisor refused a request, or this client (too many at once). */
  onError?: (message: string) => void;
  onClose?: () => void;
}

export class ControlClient {
  private constructor(private readonly socket: net.Socket) {}

  static connect(name: string, handlers: ControlHandlers): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const sockPath = runtimeFiles(name).control;
      if (!fs.existsSync(sockPath)) {
        reject(new BurrowError('not-running', `machine "${name}" is not running`, `start it with: burrow start ${name}`));
        return;
      }
      const socket = net.createConnection(sockPath);
      const onFrame = (type: number, payload: Buffer): void => {
        if (type === FRAME_DATA) return handlers.onData?.(payload);
        const msg = type === FRAME_JSON ? parseSupervisorMessage(payload) : undefined;
        if (msg?.event === 'status') handlers.onStatus?.(msg.status);
        else if (msg?.event === 'replay-done') handlers.onReplayDone?.();
        else if (msg?.event === 'error') handlers.onError?.(msg.message);
      };
      let frames: [number, Buffer][] = [];
      const decoder = new FrameDecoder((type, payload) => frames.push([type, payload]), MAX_EVENT_FRAME);
      socket.once('connect', () => resolve(new ControlClient(socket)));
      socket.on('error', () => {
        socket.destroy();
        reject(new BurrowError('not-running', `machine "${name}" is not running (its supervisor does not answer)`, `start it with: burrow start ${name}`));
      });
      socket.on('data', (chunk: Buffer) => {
        frames = [];
        try {
          decoder.push(chunk);
        } catch {
          return void socket.destroy(); // a frame over the limit: not a supervisor of ours
        }
        for (const [type, payload] of frames) if (!socket.destroyed) onFrame(type, payload);
      });
      socket.on('close', () => handlers.onClose?.());
    });
  }

  send(msg: ClientMessage): void {
    if (!this.socket.destroyed) this.socket.write(encodeJson(msg));
  }

  /** Keys typed on the console. Returns false when the socket is backed up (the caller should pause). */
  input(data: Buffer | string): boolean {
    if (this.socket.destroyed) return false;
    // The supervisor takes small frames only: a long paste goes in pieces.
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let flushed = true;
    for (let at = 0; at < bytes.length; at += INPUT_PIECE) flushed = this.socket.write(encodeData(bytes.subarray(at, at + INPUT_PIECE)));
    return flushed;
  }

  /** Flow control for readers: stop reading console bytes until resumed. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.end();
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }
}
