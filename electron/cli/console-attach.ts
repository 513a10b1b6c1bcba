// `burrow console NAME`: the machine's console in this terminal. Ctrl+] detaches; the machine keeps running.
// A machine that is not running: what its last boot printed (kept in its runtime folder, engine/console-log.ts).
import { describeStatus } from '../contract/describe';
import { hasEnded, isLive, type MachineStatus } from '../contract/machine-state';
import { readConsoleLog } from '../engine/console-log';
import { ControlClient } from '../engine/control-client';
import { loadProfile } from '../engine/profiles';
import { runtimeFiles, statusOf } from '../engine/runtime-state';

export const DETACH_KEY = 0x1d; // Ctrl+]

export async function attachConsole(name: string): Promise<number> {
  const status = statusOf(name);
  if (!isLive(status)) return printLastConsole(name, status);
  const stdin = process.stdin;
  const stdout = process.stdout;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  // Handlers may run before connect() resolves; they see the client through this holder.
  const ref: { client?: ControlClient } = {};
  const client = (ref.client = await ControlClient.connect(name, {
    onData: (data) => {
      if (!stdout.write(data)) {
        ref.client?.pause();
        stdout.once('drain', () => ref.client?.resume());
      }
    },
    onStatus: (s) => {
      if (hasEnded(s)) {
        stdout.write(`\r\n[burrow] ${name} ${describeStatus(s)}\r\n`);
      }
    },
    onClose: () => resolveClosed(),
  }));
  process.stderr.write(`Attached to the console of ${name}. Press Ctrl+] to detach.\r\n`);
  if (stdout.isTTY) client.send({ op: 'resize', cols: stdout.columns, rows: stdout.rows });
  client.send({ op: 'hello', attach: true, replay: true });

  const onResize = () => client.send({ op: 'resize', cols: stdout.columns, rows: stdout.rows });
  const onInput = (chunk: Buffer) => {
    const at = chunk.indexOf(DETACH_KEY);
    if (at < 0) {
      client.input(chunk);
      return;
    }
    if (at > 0) client.input(chunk.subarray(0, at));
    process.stderr.write(`\r\n[burrow] detached from ${name}; it keeps running.\r\n`);
    client.close();
  };
  stdout.on('resize', onResize);
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.on('data', onInput);
  stdin.on('end', () => client.close());
  stdin.resume();
  try {
    await closed;
    return 0;
  } finally {
    stdin.off('data', onInput);
    stdout.off('resize', onResize);
    if (stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
  }
}

function printLastConsole(name: string, status: MachineStatus): number {
  loadProfile(name); // no such machine: said so, with its exit code
  const record = readConsoleLog(runtimeFiles(name).consoleTail);
  if (!record.length) {
    process.stderr.write(`${name} is not running (${describeStatus(status)}), and nothing of its console is kept; start it: burrow start ${name}\n`);
    return 0;
  }
  process.stderr.write(`${name} is not running (${describeStatus(status)}); what its last boot printed on the console:\r\n`);
  process.stdout.write(record);
  process.stdout.write('\r\n');
  return 0;
}
