// The supervisor as a process, running a stand-in machine: a shell on its pty that reports a PID 1 the way
// bwrap does (the info file), then does what the test says (wait, reboot, halt, fail). Readiness comes
// through the real readiness socket, status through the real control socket.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MachineStatus } from '../contract/machine-state';
import { sendDatagram } from '../engine/unix-datagram';
import { rawClient, type RawClient } from './control-test-helpers';
import { standInMachine } from './stand-in-machine';

const ROOT = path.resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const running: { child: ChildProcess; dir: string }[] = [];
afterEach(() => {
  for (const { child, dir } of running.splice(0)) {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

interface Run {
  dir: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  client: RawClient;
  statuses: MachineStatus[];
  notify(text: string): void;
  /** Resolves once a status event with this state arrives (or has arrived). */
  reaches(state: string): Promise<MachineStatus>;
  when(test: (s: MachineStatus) => boolean): Promise<MachineStatus>;
}

/** A supervisor of machine "fake" whose machine is the script `body(dir)` gives (sh -c; dir: its runtime folder). */
async function supervise(body: (dir: string) => string, opts: { spare?: boolean } = {}): Promise<Run> {
  const { xdg, dir, notifySocket } = standInMachine(body, { stopTimeoutSec: 2, single: true });
  const env = { ...process.env, XDG_RUNTIME_DIR: xdg, BURROW_UNIT: '' };
  const main = ['--import', 'tsx', path.join(ROOT, 'electron/supervisor/supervisor-main.ts')];
  const child = spawn(process.execPath, [...main, opts.spare ? '--spare' : 'fake'], {
    env,
    stdio: [opts.spare ? 'pipe' : 'ignore', 'inherit', 'inherit'],
    cwd: ROOT,
  });
  running.push({ child, dir: xdg });
  if (opts.spare) {
    // Loaded and waiting: nothing happens until it is told which machine.
    await sleep(1500);
    expect(fs.existsSync(path.join(dir, 'control.sock'))).toBe(false);
    expect(child.exitCode).toBeNull();
    child.stdin!.end('fake\n');
  }
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const control = path.join(dir, 'control.sock');
  for (let i = 0; !fs.existsSync(control); i++) {
    if (i > 1500) throw new Error('the supervisor did not come up');
    await sleep(10);
  }
  const client = await rawClient(control);
  const statuses: MachineStatus[] = [];
  const waiting: { test: (s: MachineStatus) => boolean; resolve: (s: MachineStatus) => void }[] = [];
  void (async () => {
    for (;;) {
      const e = (await client.next('status')) as { status: MachineStatus };
      statuses.push(e.status);
      for (const w of waiting.filter((x) => x.test(e.status))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(e.status);
      }
    }
  })();
  const when = (test: (s: MachineStatus) => boolean): Promise<MachineStatus> => {
    const seen = statuses.find(test);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => waiting.push({ test, resolve }));
  };
  return { dir, child, exited, client, statuses, notify: (text) => sendDatagram(notifySocket, text), when, reaches: (state) => when((s) => s.state === state) };
}

/** Reports PID 1 as bwrap would, once it exists: this shell's pid, written to bwrap's info FIFO in two pieces (and kept in pid1 for the test). */
const reportPid1 = (dir: string) =>
  `echo $$ > '${dir}/pid1'; exec 3>'${dir}/bwrap-info.fifo'; printf '{\\n    "child-pid": %d' $$ >&3; sleep 0.05; printf ',\\n    "pid-namespace": 1\\n}\\n' >&3; exec 3>&-;`;

const pidOf = (dir: string): number => Number(fs.readFileSync(path.join(dir, 'pid1'), 'utf8'));

describe('the supervisor', () => {
  it('reports PID 1, goes running at READY=1, and stops on request with a clean end', async () => {
    const run = await supervise((dir) => `${reportPid1(dir)} echo console-line; exec sleep 600`);
    const withPid = await run.when((s) => !!s.pid1);
    expect(withPid.state).toBe('starting');
    expect(withPid.pid1).toBe(pidOf(run.dir));
    run.notify('STATUS=Reached target basic.target');
    await run.when((s) => s.statusText === 'Reached target basic.target');
    run.notify('READY=1\nSTATUS=Startup finished in 1ms.');
    const up = await run.reaches('running');
    expect(up.bootMs).toBeGreaterThanOrEqual(0);
    expect(up.failedUnits).toEqual([]);
    run.client.json({ op: 'stop' });
    await run.reaches('stopping');
    const end = await run.reaches('exited');
    expect(end.message).toBe('stopped on request');
    expect(end.pid1).toBeUndefined();
    expect(await run.exited).toBe(0);
    expect(fs.existsSync(path.join(run.dir, 'control.sock'))).toBe(false);
    expect(fs.readFileSync(path.join(run.dir, 'console.log'), 'utf8')).toContain('console-line');
    expect(JSON.parse(fs.readFileSync(path.join(run.dir, 'state.json'), 'utf8'))).toMatchObject({ state: 'exited', message: 'stopped on request' });
  }, 30_000);

  it('boots again after a reboot, as a new launch, and ends when the machine halts', async () => {
    // First boot: reboot (bwrap exits 129). Second: report a new PID 1, then halt (exit 130) when told.
    const run = await supervise(
      (dir) =>
        `if [ -e '${dir}/booted' ]; then ${reportPid1(dir)} while [ ! -e '${dir}/halt' ]; do sleep 0.02; done; exit 130; fi; touch '${dir}/booted'; ${reportPid1(dir)} sleep 0.2; exit 129`,
    );
    const first = (await run.when((s) => !!s.pid1)).pid1;
    const rebooting = await run.when((s) => s.statusText === 'Rebooting');
    expect(rebooting.state).toBe('starting');
    expect(rebooting.pid1).toBeUndefined();
    const second = await run.when((s) => !!s.pid1 && s.pid1 !== first);
    expect(second.state).toBe('starting');
    fs.writeFileSync(path.join(run.dir, 'halt'), '');
    const end = await run.reaches('exited');
    expect(end).toMatchObject({ message: 'the machine halted (poweroff or halt inside)', exitCode: 130 });
    expect(fs.readFileSync(path.join(run.dir, 'console.log'), 'utf8')).toContain('[burrow] the machine rebooted; starting it again');
    expect(await run.exited).toBe(0);
  }, 30_000);

  it('calls a machine that ends before READY=1 a failed boot', async () => {
    const run = await supervise((dir) => `${reportPid1(dir)} echo 'Failed to mount API file systems'; sleep 0.1; exit 1`);
    const end = await run.reaches('crashed');
    expect(end).toMatchObject({ exitCode: 1, message: "the machine failed to boot (exit 1); the console's last lines say why" });
    expect(fs.readFileSync(path.join(run.dir, 'console.log'), 'utf8')).toContain('Failed to mount API file systems');
    expect(await run.exited).toBe(0);
  }, 30_000);

  it('runs the machine a spare supervisor is given, and outlives the host that gave it', async () => {
    const run = await supervise((dir) => `${reportPid1(dir)} exec sleep 600`, { spare: true });
    await run.when((s) => !!s.pid1);
    run.notify('READY=1');
    await run.reaches('running');
    run.client.json({ op: 'stop' });
    expect((await run.reaches('exited')).message).toBe('stopped on request');
    expect(await run.exited).toBe(0);
  }, 30_000);

  it('ends an unused spare when its host goes away', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'electron/supervisor/supervisor-main.ts'), '--spare'], {
      stdio: ['pipe', 'inherit', 'inherit'],
      cwd: ROOT,
    });
    running.push({ child, dir: fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-spare-')) });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await sleep(1000);
    child.stdin!.end();
    expect(await exited).toBe(0);
  }, 30_000);

  it('kills a machine that ignores the halt signal once the stop timeout passes', async () => {
    const run = await supervise((dir) => `trap '' 37; ${reportPid1(dir)} while :; do sleep 0.05; done`);
    await run.when((s) => !!s.pid1);
    const t0 = Date.now();
    run.client.json({ op: 'stop' });
    const end = await run.reaches('exited');
    expect(end.message).toBe('killed on request');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900); // stopTimeoutSec: 2
    expect(await run.exited).toBe(0);
  }, 30_000);
});
