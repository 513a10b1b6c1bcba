// What a STATUS= flood from a guest costs the host: a real supervisor (dist/supervisor.js) whose
// "machine" is a sleeping shell, its readiness socket flooded with STATUS= datagrams as fast as one
// sender can, for FLOOD_SECONDS (RATE=N for N a second). Reports the supervisor's CPU time and how often it rewrote state.json,
// against the same supervisor idle. Run: node scripts/build.mjs && npx tsx bench/status-flood.ts
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const FLOOD_SECONDS = Number(process.env.FLOOD_SECONDS ?? 3);
/** STATUS= datagrams a second; `max` sends as fast as one sender can. */
const RATE = process.env.RATE === 'max' ? 0 : Number(process.env.RATE ?? 5000);
const repo = path.resolve(__dirname, '..');
const unixDgram = require('unix-dgram') as {
  createSocket(type: 'unix_dgram'): { send(buf: Buffer, offset: number, length: number, path: string, cb?: (e?: Error) => void): void; on(ev: string, cb: () => void): void; close(): void };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpuMs = (pid: number): number => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').slice(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
};

async function main(): Promise<void> {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-flood-'));
  const dir = path.join(run, 'burrow', 'flood');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(path.join(run, 'burrow'), 0o700);
  const hostDir = path.join(dir, 'host');
  const plan = {
    machine: 'flood',
    argv: ['/bin/sh', '-c', 'sleep 600'],
    bwrapIndex: 0,
    initArgv: [],
    mounts: [],
    cgroup: { presentation: 'unified', reason: '', hostLayout: 'unified', dirs: [] },
    idMapping: { mode: 'auto', description: '' },
    network: { mode: 'isolated', ports: [] },
    limits: { requested: {}, writes: [] },
    storage: { mode: 'direct' },
    hostDir,
    notifySocket: path.join(hostDir, 'notify'),
    warnings: [],
  };
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({ plan, stopTimeoutSec: 1 }));
  const sup = spawn(process.execPath, [path.join(repo, 'dist/supervisor.js'), 'flood'], { env: { ...process.env, XDG_RUNTIME_DIR: run }, stdio: 'inherit' });
  while (!fs.existsSync(path.join(dir, 'control.sock'))) await sleep(10);
  await sleep(300);

  let writes = 0;
  const watcher = fs.watch(dir, (_event, file) => {
    if (file === 'state.json') writes++;
  });
  const idleStart = cpuMs(sup.pid!);
  await sleep(FLOOD_SECONDS * 1000);
  const idle = cpuMs(sup.pid!) - idleStart;
  const idleWrites = writes;

  writes = 0;
  const client = unixDgram.createSocket('unix_dgram');
  client.on('error', () => undefined);
  client.on('congestion', () => undefined);
  let sent = 0;
  const start = cpuMs(sup.pid!);
  const began = Date.now();
  const until = began + FLOOD_SECONDS * 1000;
  while (Date.now() < until) {
    // RATE datagrams a second, spread over 10 ms slices; or as fast as one sender can (RATE=max).
    const due = RATE ? Math.min(RATE * FLOOD_SECONDS, Math.ceil(((Date.now() - began) / 1000) * RATE)) : sent + 200;
    for (; sent < due; sent++) {
      const msg = Buffer.from(`STATUS=step ${sent} of a flood \u001b]52;c;aGk=\u0007 ${'x'.repeat(300)}`);
      client.send(msg, 0, msg.length, plan.notifySocket);
    }
    await (RATE ? sleep(10) : new Promise((r) => setImmediate(r)));
  }
  await sleep(500);
  const flood = cpuMs(sup.pid!) - start;
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as { statusText?: string };
  watcher.close();
  client.close();
  sup.kill('SIGTERM');
  await new Promise((r) => sup.once('exit', r));
  fs.rmSync(run, { recursive: true, force: true });

  const row = (label: string, cpu: number, w: number) => `${label.padEnd(34)} ${(cpu / FLOOD_SECONDS).toFixed(0).padStart(5)} ms CPU/s   ${(w / FLOOD_SECONDS).toFixed(1).padStart(7)} state.json writes/s`;
  process.stdout.write(
    [
      `supervisor, ${FLOOD_SECONDS} s each:`,
      row('idle', idle, idleWrites),
      row(`flooded (${Math.round(sent / FLOOD_SECONDS)} STATUS=/s sent)`, flood, writes),
      `last statusText kept: ${state.statusText?.length ?? 0} characters`,
      '',
    ].join('\n'),
  );
}

void main();
