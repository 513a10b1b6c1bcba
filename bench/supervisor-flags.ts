// What V8 and malloc settings would save in a supervisor, and what they cost: for each variant, the
// memory of ten supervisors (PSS and private, from /proc/PID/smaps_rollup), the time from spawning one to
// its control socket, and console throughput through one (a 32 MiB flood on its pty, read by an attached
// client). Real supervisors (dist/supervisor.js) whose "machine" is a shell; no root, no machines.
// Run: node scripts/build.mjs && npx tsx bench/supervisor-flags.ts
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeJson, FRAME_DATA, FrameDecoder } from '../electron/engine/control-protocol';
import { median, sleep } from './hand-run';
import { startFakeSupervisor } from './fake-supervisor';
import { pss } from './window';

const REPO = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const VARIANTS: { label: string; flags: string[]; env?: Record<string, string> }[] = [
  { label: 'as shipped', flags: [] },
  { label: '--max-semi-space-size=1', flags: ['--max-semi-space-size=1'] },
  { label: '--lite-mode', flags: ['--lite-mode'] },
  { label: '--jitless', flags: ['--jitless'] },
  { label: '--v8-pool-size=0', flags: ['--v8-pool-size=0'] },
  { label: 'MALLOC_ARENA_MAX=1', flags: [], env: { MALLOC_ARENA_MAX: '1' } },
  { label: 'all of lite, semi-space, pool, arenas', flags: ['--lite-mode', '--max-semi-space-size=1', '--v8-pool-size=0'], env: { MALLOC_ARENA_MAX: '1' } },
];

async function withEnv<T>(env: Record<string, string> | undefined, body: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, env ?? {});
  try {
    return await body();
  } finally {
    process.env = saved;
  }
}

/** Average PSS and private memory of ten idle supervisors, in MiB. */
async function memory(flags: string[]) {
  const sups = [];
  for (let i = 0; i < 10; i++) sups.push(await startFakeSupervisor(REPO, 'sleep 600', flags));
  await sleep(3000);
  const m = sups.map((s) => pss(s.process.pid!));
  for (const s of sups) await s.stop();
  const avg = (xs: number[]) => +(xs.reduce((a, x) => a + x, 0) / xs.length / 1024).toFixed(1);
  return { pssMiB: avg(m.map((x) => x.pssKb)), privateMiB: avg(m.map((x) => x.privateKb)) };
}

/** Median milliseconds from spawn to a listening control socket. */
async function startup(flags: string[]) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const s = await startFakeSupervisor(REPO, 'sleep 600', flags);
    times.push(performance.now() - t0);
    await s.stop();
  }
  return +median(times).toFixed(1);
}

/** MiB/s of a 32 MiB flood on the supervisor's pty, to an attached client, first byte to last. */
async function flood(flags: string[], file: string) {
  const size = fs.statSync(file).size;
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // The shell waits for the client to attach, then floods.
    const go = path.join(path.dirname(file), `go-${i}`);
    const s = await startFakeSupervisor(REPO, `while [ ! -e '${go}' ]; do sleep 0.01; done; cat '${file}'; sleep 600`, flags);
    let got = 0;
    let first = 0;
    const done = new Promise<number>((resolve) => {
      const socket = net.createConnection(s.controlSocket);
      const decoder = new FrameDecoder((type, payload) => {
        if (type !== FRAME_DATA) return;
        first ||= performance.now();
        got += payload.length;
        if (got >= size) resolve(performance.now() - first);
      });
      socket.on('data', (d) => decoder.push(d));
      socket.on('connect', () => {
        socket.write(encodeJson({ op: 'hello', attach: true, replay: false }));
        setTimeout(() => fs.writeFileSync(go, ''), 100);
      });
    });
    const ms = await done;
    rates.push(size / 1024 ** 2 / (ms / 1000));
    await s.stop();
  }
  return +median(rates).toFixed(1);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-flags-'));
  const file = path.join(dir, 'flood.txt');
  // Plain lines (no \n→\r\n growth surprises): the pty turns each \n into \r\n, so the client reads more than the file.
  fs.writeFileSync(
    file,
    'x'
      .repeat(79)
      .concat('\n')
      .repeat((32 * 1024 ** 2) / 80),
  );
  try {
    const rows = [];
    for (const v of VARIANTS) {
      rows.push(
        await withEnv(v.env, async () => ({
          variant: v.label,
          ...(await memory(v.flags)),
          startupMs: await startup(v.flags),
          floodMiBs: await flood(v.flags, file),
        })),
      );
      console.log(JSON.stringify(rows.at(-1)));
    }
    console.table(rows);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
