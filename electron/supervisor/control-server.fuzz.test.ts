// Fuzzing the control socket: several clients send thousands of random frames at a real control server
// (seeded, so a failure replays), some never reading; then a real ControlClient asks for the status.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ControlClient } from '../engine/control-client';
import { encodeFrame, encodeFrameHeader, FRAME_DATA, FRAME_JSON } from '../engine/control-protocol';
import { fakeMachine, rawClient, type FakeMachine, type RawClient } from './control-test-helpers';

const SEED = Number(process.env.BURROW_FUZZ_SEED ?? 4711);
let seed = SEED;
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));

function randomValue(depth = 0): unknown {
  return pick([
    () => null,
    () => int(2 ** 31) * (random() < 0.5 ? -1 : 1),
    () => random() * 1e308,
    () => bytes(int(20)).toString('latin1'),
    () => random() < 0.5,
    () => (depth < 2 ? Array.from({ length: int(4) }, () => randomValue(depth + 1)) : []),
    () => (depth < 2 ? { op: pick(['hello', 'resize', 'status', 'x']), cols: randomValue(depth + 1) } : {}),
  ])();
}

function randomFrame(): Buffer {
  switch (int(9)) {
    case 0:
      return bytes(int(64));
    case 1:
      return encodeFrame(FRAME_JSON, Buffer.from(JSON.stringify(randomValue())));
    case 2:
      return encodeFrame(
        FRAME_JSON,
        Buffer.from(
          JSON.stringify({
            op: pick(['hello', 'resize', 'status', 'reboot', '__proto__']),
            attach: randomValue(),
            replay: randomValue(),
            cols: randomValue(),
            rows: randomValue(),
          }),
        ),
      );
    case 3:
      return encodeFrame(FRAME_JSON, Buffer.from(JSON.stringify({ op: 'hello', attach: true, replay: true })));
    case 4:
      return encodeFrame(FRAME_DATA, bytes(int(1000)));
    case 5:
      return encodeFrame(int(256), bytes(int(100)));
    case 6:
      return encodeFrameHeader(pick([FRAME_JSON, FRAME_DATA]), pick([65 * 1024, 2 ** 32 - 1, 1 << 24]));
    case 7:
      return encodeFrame(FRAME_JSON, bytes(int(200)));
    default:
      return encodeFrame(FRAME_JSON, Buffer.from(JSON.stringify({ op: 'status' })));
  }
}

let machine: FakeMachine;
const savedRuntime = process.env.XDG_RUNTIME_DIR;
beforeAll(() => {
  machine = fakeMachine('fuzz');
  process.env.XDG_RUNTIME_DIR = machine.dir;
});
afterAll(() => {
  process.env.XDG_RUNTIME_DIR = savedRuntime;
  machine.cleanup();
});

it(`survives 4000 random frames from 8 clients at once (seed ${SEED})`, async () => {
  let dropped = 0;
  await Promise.all(
    Array.from({ length: 8 }, async (_, k) => {
      let client: RawClient | undefined;
      for (let i = 0; i < 500; i++) {
        if (!client || client.isClosed()) {
          if (client) dropped++;
          client = await rawClient(machine.socketPath, { read: k % 3 !== 0 });
        }
        // Frames are sent whole, in pieces or run together, as a stream may carry them.
        const frame = randomFrame();
        if (random() < 0.3) {
          const cut = int(frame.length);
          client.send(frame.subarray(0, cut));
          client.send(frame.subarray(cut));
        } else client.send(frame);
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      client?.socket.destroy();
    }),
  );
  expect(dropped).toBeGreaterThan(0); // the fuzz did reach the refusals

  // A real client of the CLI still gets the machine's status.
  const status = await new Promise((resolve, reject) => {
    ControlClient.connect('fuzz', { onStatus: resolve }).then((c) => c.send({ op: 'status' }), reject);
  });
  expect(status).toMatchObject({ name: 'fuzz', state: 'running' });
}, 30_000);
