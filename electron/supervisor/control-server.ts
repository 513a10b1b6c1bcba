// The supervisor's control socket: attach, console input, resize, stop, kill, status. The socket is 0600
// in the private runtime folder, so clients are the user's own programs (the CLI, the window), but none
// of them may take the supervisor down or make it hoard memory: clients are counted, requests are small
// and checked, a replay is sent once per client from the history's own buffers (never copied), and a
// client whose unread output passes a limit is dropped. Flow control: while an attached client lags, the
// console is paused (so a flood never buffers without bound); one that lags too long is dropped.
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { MachineStatus } from '../contract/machine-state';
import type { Disposable } from '../engine/disposable';
import {
  encodeData,
  encodeFrameHeader,
  encodeJson,
  FRAME_DATA,
  FRAME_JSON,
  FrameDecoder,
  MAX_REQUEST_FRAME,
  parseClientMessage,
  type ClientMessage,
  type SupervisorMessage,
} from '../engine/control-protocol';

export interface ControlLimits {
  /** Clients at once; the next one is told why and closed. */
  maxClients: number;
  /** Output a client may leave unread (a replay of the whole history fits) before it is dropped. */
  maxUnsentBytes: number;
  /** How long an attached client may hold the console paused before it is dropped (it may reattach). */
  lagLimitMs: number;
}

export const DEFAULT_CONTROL_LIMITS: ControlLimits = { maxClients: 32, maxUnsentBytes: 4 * 1024 * 1024, lagLimitMs: 5000 };

/** What the machine's supervisor does for its clients. */
export interface ControlTarget {
  status(): MachineStatus;
  /** The console history, oldest first: sent as it is, chunk by chunk. */
  history(): readonly Buffer[];
  /** Keys from an attached client. */
  input(data: Buffer): void;
  /** Window size only: never a signal to PID 1. */
  resize(cols: number, rows: number): void;
  stop(): void;
  kill(): void;
  /** Pause the console while an attached client lags; resume once none does. */
  setPaused(paused: boolean): void;
}

interface Client {
  socket: net.Socket;
  attached: boolean;
  replayed: boolean;
  laggingSince?: number;
}

export class ControlServer implements Disposable {
  private readonly clients = new Set<Client>();
  private readonly server: net.Server;
  private lagTimer?: NodeJS.Timeout;

  constructor(
    socketPath: string,
    private readonly target: ControlTarget,
    private readonly limits: ControlLimits = DEFAULT_CONTROL_LIMITS,
  ) {
    this.server = net.createServer((socket) => this.onClient(socket));
    this.server.on('error', () => undefined);
    // Starters wait for the socket's path to appear: it appears only once it accepts (a path that exists
    // while bound but not yet listening refuses the connection, seen under load). Node binds and listens
    // a unix socket within listen(), so the rename follows a listening socket.
    const pending = `${socketPath}.${process.pid}.new`;
    fs.rmSync(pending, { force: true });
    this.server.listen(pending);
    fs.chmodSync(pending, 0o600);
    fs.renameSync(pending, socketPath);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** A status event to every client. */
  broadcast(message: SupervisorMessage): void {
    const frame = encodeJson(message);
    for (const client of this.clients) this.write(client, frame);
  }

  /** Console output to every attached client; a client that cannot take it pauses the console. */
  console(chunk: Buffer): void {
    const frame = encodeData(chunk);
    for (const client of this.clients) {
      if (!client.attached) continue;
      if (!this.write(client, frame) && client.laggingSince === undefined && !client.socket.destroyed) {
        client.laggingSince = Date.now();
        this.updateFlow();
      }
    }
  }

  /** Every client gets what is queued for it, then its socket ends; resolves once all are done. */
  end(): Promise<void> {
    const flushed = [...this.clients].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.socket.once('finish', resolve);
          c.socket.once('close', resolve);
          c.socket.end();
        }),
    );
    return Promise.all(flushed).then(() => undefined);
  }

  dispose(): void {
    clearTimeout(this.lagTimer);
    this.server.close();
  }

  /** Writes to one client; one whose unread output passes the limit is dropped. Returns what socket.write said. */
  private write(client: Client, data: Buffer): boolean {
    if (client.socket.destroyed) return false;
    const flushed = client.socket.write(data);
    if (client.socket.writableLength > this.limits.maxUnsentBytes) client.socket.destroy();
    return flushed;
  }

  private onClient(socket: net.Socket): void {
    socket.on('error', () => socket.destroy());
    if (this.clients.size >= this.limits.maxClients) {
      socket.end(encodeJson({ event: 'error', message: `more than ${this.limits.maxClients} clients at once` }));
      return;
    }
    const client: Client = { socket, attached: false, replayed: false };
    this.clients.add(client);
    let frames: [number, Buffer][] = [];
    const decoder = new FrameDecoder((type, payload) => frames.push([type, payload]), MAX_REQUEST_FRAME);
    socket.on('data', (chunk: Buffer) => {
      frames = [];
      try {
        decoder.push(chunk);
      } catch {
        return void socket.destroy(); // a frame over the limit
      }
      // Outside the try: a failure of the supervisor itself is not the client's fault, and goes on up.
      for (const [type, payload] of frames) {
        if (socket.destroyed) return;
        if (!this.onFrame(client, type, payload)) return void socket.destroy();
      }
    });
    socket.on('drain', () => {
      client.laggingSince = undefined;
      this.updateFlow();
    });
    socket.on('close', () => {
      this.clients.delete(client);
      this.updateFlow();
    });
    this.write(client, encodeJson({ event: 'status', status: this.target.status() }));
  }

  /** Acts on one frame; false for one that is no request at all (the client is then dropped). */
  private onFrame(client: Client, type: number, payload: Buffer): boolean {
    if (type === FRAME_DATA) {
      if (client.attached) this.target.input(payload);
      return true;
    }
    const msg = type === FRAME_JSON ? parseClientMessage(payload) : undefined;
    if (msg === undefined) return false;
    if (msg === 'invalid') this.write(client, encodeJson({ event: 'error', message: 'unknown request' }));
    else this.onRequest(client, msg);
    return true;
  }

  private onRequest(client: Client, msg: ClientMessage): void {
    switch (msg.op) {
      case 'hello':
        if (!msg.attach) return;
        if (msg.replay && !client.replayed) {
          client.replayed = true;
          this.replay(client);
        }
        this.write(client, encodeJson({ event: 'replay-done' }));
        client.attached = true;
        return;
      case 'resize':
        return this.target.resize(msg.cols, msg.rows);
      case 'stop':
        return this.target.stop();
      case 'kill':
        return this.target.kill();
      case 'status':
        this.write(client, encodeJson({ event: 'status', status: this.target.status() }));
    }
  }

  /** The history, chunk by chunk: the socket holds the history's own buffers, so a replay copies nothing. */
  private replay(client: Client): void {
    client.socket.cork();
    for (const chunk of this.target.history()) {
      if (!chunk.length) continue;
      this.write(client, encodeFrameHeader(FRAME_DATA, chunk.length));
      this.write(client, chunk);
    }
    process.nextTick(() => client.socket.uncork());
  }

  private updateFlow(): void {
    const lagging = [...this.clients].filter((c) => c.laggingSince !== undefined);
    if (!lagging.length) {
      this.target.setPaused(false);
      clearTimeout(this.lagTimer);
      this.lagTimer = undefined;
      return;
    }
    this.target.setPaused(true);
    if (!this.lagTimer) {
      this.lagTimer = setTimeout(() => {
        this.lagTimer = undefined;
        const now = Date.now();
        for (const c of this.clients) if (c.laggingSince !== undefined && now - c.laggingSince >= this.limits.lagLimitMs) c.socket.destroy();
        this.updateFlow();
      }, this.limits.lagLimitMs);
    }
  }
}
