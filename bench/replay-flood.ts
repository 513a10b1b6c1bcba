// What clients that ask for the console history and never read it cost a supervisor: a real supervisor
// whose "machine" printed 2 MB (its 1 MiB history is full), then CLIENTS connections each sending
// `hello` with replay, REPEAT times, without reading. Reports the supervisor's resident memory.
// Run: node scripts/build.mjs && npx tsx bench/replay-flood.ts
import * as net from 'node:net';
import * as path from 'node:path';
import { sleep, startFakeSupervisor } from './fake-supervisor';

const CLIENTS = Number(process.env.CLIENTS ?? 300);
const REPEAT = Number(process.env.REPEAT ?? 1);

function helloFrame(): Buffer {
  const payload = Buffer.from(JSON.stringify({ op: 'hello', attach: true, replay: true }));
  const header = Buffer.alloc(5);
  header.writeUInt8(1, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

async function main(): Promise<void> {
  const sup = await startFakeSupervisor(path.resolve(__dirname, '..'), 'head -c 1500000 /dev/urandom | base64; sleep 600');
  await sleep(1500);
  const before = sup.rssMb();
  const sockets: net.Socket[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const s = net.createConnection(sup.controlSocket);
    s.on('error', () => undefined);
    await new Promise((r) => s.once('connect', r));
    s.pause();
    for (let k = 0; k < REPEAT; k++) s.write(helloFrame());
    sockets.push(s);
  }
  await sleep(1500);
  const after = sup.rssMb();
  for (const s of sockets) s.destroy();
  await sup.stop();
  process.stdout.write(
    `supervisor RSS: ${before.toFixed(0)} MB before, ${after.toFixed(0)} MB after ${CLIENTS} clients x ${REPEAT} replay requests, none reading\n`,
  );
}

void main();
