// A connection to one machine's supervisor: status events, console bytes, requests.
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { MachineStatus } from '../contract/machine-state';
import { encodeData, encodeJson, FRAME_DATA, FRAME_JSON, FrameDecoder, type ClientMessage, type SupervisorMessage } from '../supervisor/control-protocol';
import { BurrowError } from './errors';
import { runtimeFiles } from './runtime-state';

export interface ControlHandlers {
  onStatus?: (status: MachineStatus) => void;
  onData?: (data: Buffer) => void;
  onReplayDone?: () => void;
  onClose?: () => void;
}

export class ControlClient {
  private constructor(private readonly socket: net.Socket) {}

  static connect(name: string, handlers: ControlHandlers): Promise<ControlClient> {
    const sockPath = runtimeFiles(name).control;
    return new Promise((resolve, reject) => {
      if (!fs.existsSync(sockPath)) {
        reject(new BurrowError('not-running', `machine "${name}" is not running`, `start it with: burrow start ${name}`));
        return;
      }
      const socket = net.createConnection(sockPath);
      const decoder = new FrameDecoder((type, payload) => {
        if (type === FRAME_DATA) handlers.onData?.(payload);
        else if (type === FRAME_JSON) {
          const msg = JSON.parse(payload.toString('utf8')) as SupervisorMessage;
          if (msg.event === 'status') handlers.onStatus?.(msg.status);
          else if (msg.event === 'replay-done') handlers.onReplayDone?.();
        }
      });
      socket.once('connect', () => resolve(new ControlClient(socket)));
      socket.once('error', () => reject(new BurrowError('not-running', `machine "${name}" is not running (its supervisor does not answer)`, `start it with: burrow start ${name}`)));
      socket.on('data', (chunk) => decoder.push(chunk));
      socket.on('close', () => handlers.onClose?.());
    });
  }

  send(msg: ClientMessage): void {
    this.socket.write(encodeJson(msg));
  }

  /** Keys typed on the console. Returns false when the socket is backed up (the caller should pause). */
  input(data: Buffer | string): boolean {
    return this.socket.write(encodeData(data));
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
