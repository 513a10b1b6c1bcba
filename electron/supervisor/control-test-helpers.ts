// For the control socket's tests: a control server over a fake machine (a real console history, a
// console that records what it is sent), and a raw client that sends any bytes and counts what comes back.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConsoleHistory } from './console-history';
import { encodeFrame, FRAME_DATA, FRAME_JSON, FrameDecoder, MAX_EVENT_FRAME } from '../engine/control-protocol';
import { ControlServer, DEFAULT_CONTROL_LIMITS, type ControlLimits } from './control-server';

export interface FakeMachine {
  server: ControlServer;
  socketPath: string;
  dir: string;
  history: ConsoleHistory;
  calls: string[];
  input: Buffer[];
  paused: boolean;
  cleanup(): void;
}

/** A control server in `dir`/burrow/NAME/control.sock (where ControlClient looks when XDG_RUNTIME_DIR=dir). */
export function fakeMachine(name = 'fuzz', limits: Partial<ControlLimits> = {}): FakeMachine {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-control-test-'));
  const runtime = path.join(dir, 'burrow', name);
  fs.mkdirSync(runtime, { recursive: true, mode: 0o700 });
  fs.chmodSync(path.join(dir, 'burrow'), 0o700);
  const history = new ConsoleHistory();
  // A full history, as a machine that printed a lot has: 1 MiB in 4 KiB chunks.
  for (let i = 0; i < 256; i++) history.append(Buffer.alloc(4096, 0x41 + (i % 26)));
  const machine: FakeMachine = {
    socketPath: path.join(runtime, 'control.sock'),
    dir,
    history,
    calls: [],
    input: [],
    paused: false,
    server: undefined as unknown as ControlServer,
    cleanup: () => {
      machine.server.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  machine.server = new ControlServer(
    machine.socketPath,
    {
      status: () => ({ name, state: 'running', pid1: 4242 }),
      history: () => history.parts(),
      input: (data) => void machine.input.push(data),
      resize: (cols, rows) => void machine.calls.push(`resize ${cols}x${rows}`),
      stop: () => void machine.calls.push('stop'),
      kill: () => void machine.calls.push('kill'),
      setPaused: (paused) => void (machine.paused = paused),
    },
    { ...DEFAULT_CONTROL_LIMITS, ...limits },
  );
  return machine;
}

export interface RawClient {
  socket: net.Socket;
  /** JSON events received so far, and the number of console bytes. */
  events: Record<string, unknown>[];
  dataBytes: number;
  closed: Promise<void>;
  isClosed(): boolean;
  send(frame: Buffer | string): void;
  json(value: unknown): void;
  /** Resolves with the next event named `event`. */
  next(event: string): Promise<Record<string, unknown>>;
}

export function rawClient(socketPath: string, opts: { read?: boolean } = {}): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let closed = false;
    const waiting: { event: string; resolve: (e: Record<string, unknown>) => void }[] = [];
    const client: RawClient = {
      socket,
      events: [],
      dataBytes: 0,
      closed: new Promise((r) => socket.once('close', () => r())),
      isClosed: () => closed,
      send: (frame) => void (socket.destroyed || socket.write(frame)),
      json: (value) => client.send(encodeFrame(FRAME_JSON, Buffer.from(JSON.stringify(value)))),
      next: (event) =>
        new Promise((r) => {
          const seen = client.events.find((e) => e.event === event);
          if (seen) {
            client.events.splice(client.events.indexOf(seen), 1);
            r(seen);
          } else waiting.push({ event, resolve: r });
        }),
    };
    socket.once('close', () => (closed = true));
    socket.on('error', () => undefined);
    const decoder = new FrameDecoder((type, payload) => {
      if (type === FRAME_DATA) client.dataBytes += payload.length;
      if (type !== FRAME_JSON) return;
      const event = JSON.parse(payload.toString()) as Record<string, unknown>;
      const w = waiting.findIndex((x) => x.event === event.event);
      if (w >= 0) waiting.splice(w, 1)[0]!.resolve(event);
      else client.events.push(event);
    }, MAX_EVENT_FRAME);
    socket.on('data', (d) => decoder.push(d));
    socket.once('connect', () => {
      if (opts.read === false) socket.pause();
      resolve(client);
    });
    socket.once('error', reject);
  });
}
