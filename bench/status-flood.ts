// What a STATUS= flood from a guest costs the host: a real supervisor whose "machine" is a sleeping
// shell, its readiness socket sent RATE STATUS= datagrams a second (RATE=max: as fast as one sender
// can) for FLOOD_SECONDS. Reports its CPU time and how often it rewrote state.json, against it idle.
// Run: node scripts/build.mjs && npx tsx bench/status-flood.ts
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sendDatagram } from '../electron/engine/unix-datagram';
import { sleep, startFakeSupervisor } from './fake-supervisor';

const FLOOD_SECONDS = Number(process.env.FLOOD_SECONDS ?? 3);
const RATE = process.env.RATE === 'max' ? 0 : Number(process.env.RATE ?? 5000);

async function main(): Promise<void> {
  const sup = await startFakeSupervisor(path.resolve(__dirname, '..'), 'sleep 600');
  await sleep(300);
  let writes = 0;
  const watcher = fs.watch(sup.dir, (_event, file) => void (file === 'state.json' && writes++));
  const idleStart = sup.cpuMs();
  await sleep(FLOOD_SECONDS * 1000);
  const idle = sup.cpuMs() - idleStart;
  const idleWrites = writes;

  writes = 0;
  let sent = 0;
  const start = sup.cpuMs();
  const began = Date.now();
  while (Date.now() < began + FLOOD_SECONDS * 1000) {
    // RATE a second, in 10 ms slices; or 200 at a time as fast as the loop goes.
    const due = RATE ? Math.min(RATE * FLOOD_SECONDS, Math.ceil(((Date.now() - began) / 1000) * RATE)) : sent + 200;
    for (; sent < due; sent++) {
      const msg = Buffer.from(`STATUS=step ${sent} of a flood \u001b]52;c;aGk=\u0007 ${'x'.repeat(300)}`);
      try {
        sendDatagram(sup.notifySocket, msg);
      } catch {
        /* the receiver's queue is full (EAGAIN): a flood drops datagrams, as a real one would */
      }
    }
    await (RATE ? sleep(10) : new Promise((r) => setImmediate(r)));
  }
  await sleep(500);
  const flood = sup.cpuMs() - start;
  const state = JSON.parse(fs.readFileSync(path.join(sup.dir, 'state.json'), 'utf8')) as { statusText?: string };
  watcher.close();
  await sup.stop();

  const row = (label: string, cpu: number, w: number) =>
    `${label.padEnd(34)} ${(cpu / FLOOD_SECONDS).toFixed(0).padStart(5)} ms CPU/s   ${(w / FLOOD_SECONDS).toFixed(1).padStart(7)} state.json writes/s`;
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
