// The host's one machine watcher, against real folders, real inotify and real control sockets. A
// "supervisor" here is this test process (or a child standing in for one) with a real ControlServer and
// the state.json a supervisor writes.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultProfile } from '../contract/profile';
import type { MachineState, MachineStatus } from '../contract/machine-state';
import type { Disposable } from '../engine/disposable';
import { createProfile, removeProfile } from '../engine/profiles';
import { processStartTime, runtimeFiles, writeRecord, type RuntimeRecord } from '../engine/runtime-state';
import { ControlServer } from '../supervisor/control-server';
import { MachineWatcher, type MachineWatcherOptions } from './machine-watcher';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => void)[] = [];
let home: string;

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-watcher-test-'));
  process.env.XDG_CONFIG_HOME = path.join(home, 'config');
  process.env.XDG_RUNTIME_DIR = path.join(home, 'run');
  fs.mkdirSync(process.env.XDG_RUNTIME_DIR, { mode: 0o700 });
  fs.mkdirSync(path.join(process.env.XDG_RUNTIME_DIR, 'burrow'), { mode: 0o700 });
});
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
  fs.rmSync(home, { recursive: true, force: true });
});

function machine(name: string): void {
  createProfile(defaultProfile({ name, rootfs: '/nonexistent', machineId: 'a'.repeat(32) }));
}

/** A supervisor's record of `name`, its supervisor being `pid` (this process unless given). */
function record(name: string, state: MachineState, patch: Partial<RuntimeRecord> = {}, pid = process.pid): void {
  fs.mkdirSync(runtimeFiles(name).dir, { recursive: true, mode: 0o700 });
  writeRecord({ name, state, supervisorPid: pid, supervisorStartTime: processStartTime(pid), ...patch });
}

/** A control server where the supervisor of `name` keeps it, answering with `status()`. */
function controlServer(name: string, status: () => MachineStatus): ControlServer {
  const server = new ControlServer(runtimeFiles(name).control, {
    status,
    history: () => [],
    input: () => undefined,
    resize: () => undefined,
    stop: () => undefined,
    kill: () => undefined,
    setPaused: () => undefined,
  });
  cleanups.push(() => server.dispose());
  return server;
}

interface Seen {
  statuses: MachineStatus[];
  states(name: string): string[];
  /** Resolves when a status of `name` in `state` arrives; with the milliseconds it took from now. */
  arrives(name: string, state: string, ms?: number): Promise<number>;
  watcher: MachineWatcher;
  sub: Disposable;
}

function watch(opts: MachineWatcherOptions = {}): Seen {
  const watcher = new MachineWatcher(opts);
  const statuses: MachineStatus[] = [];
  const sub = watcher.subscribe((s) => statuses.push(s));
  cleanups.push(() => sub.dispose());
  return {
    statuses,
    watcher,
    sub,
    states: (name) => statuses.filter((s) => s.name === name).map((s) => s.state),
    arrives: async (name, state, ms = 2000) => {
      const t0 = performance.now();
      const from = statuses.length;
      while (!statuses.slice(from).some((s) => s.name === name && s.state === state)) {
        if (performance.now() - t0 > ms)
          throw new Error(`${name} did not reach ${state} within ${ms} ms (saw ${JSON.stringify(statuses.map((s) => `${s.name}:${s.state}`))})`);
        await sleep(1);
      }
      return performance.now() - t0;
    },
  };
}

describe('the machine watcher', () => {
  it('sends nothing for what is already there, then each change within 100 ms of its write', async () => {
    machine('web');
    record('web', 'exited', { message: 'stopped on request' });
    const seen = watch();
    await sleep(50);
    expect(seen.statuses).toEqual([]);
    const took = seen.arrives('web', 'starting');
    record('web', 'starting');
    expect(await took).toBeLessThan(100);
  });

  it("follows a running machine through its supervisor's own events, every transition in order", async () => {
    machine('web');
    let state: MachineState = 'starting';
    record('web', state);
    const seen = watch();
    // What a supervisor sends is what its state.json says (publicStatus of the same record).
    const status = (): MachineStatus => ({ name: 'web', state, supervisorPid: process.pid });
    const server = controlServer('web', status);
    await sleep(100);
    expect(server.clientCount).toBe(1);
    expect(seen.statuses).toEqual([]);
    // A boot faster than any poll: four transitions in one tick, as a supervisor broadcasts them.
    for (const next of ['running', 'degraded', 'stopping', 'exited'] as const) {
      state = next;
      server.broadcast({ event: 'status', status: status() });
    }
    await seen.arrives('web', 'exited');
    expect(seen.states('web')).toEqual(['running', 'degraded', 'stopping', 'exited']);
  });

  it('reads a supervisor that died without a word as crashed, from its control socket closing', async () => {
    machine('web');
    const stand: ChildProcess = spawn('sleep', ['60']);
    cleanups.push(() => stand.kill('SIGKILL'));
    await sleep(50);
    record('web', 'running', {}, stand.pid);
    const seen = watch();
    const server = controlServer('web', () => ({ name: 'web', state: 'running' }));
    await sleep(100);
    expect(server.clientCount).toBe(1);
    stand.kill('SIGKILL');
    await sleep(50);
    const took = seen.arrives('web', 'crashed');
    await server.end(); // the kernel closes a killed process's sockets
    server.dispose();
    expect(await took).toBeLessThan(100);
    expect(seen.statuses.at(-1)?.message).toMatch(/supervisor is gone/);
  });

  it('is one connection per supervisor however many windows subscribe', async () => {
    machine('web');
    record('web', 'running');
    const server = controlServer('web', () => ({ name: 'web', state: 'running' }));
    const watcher = new MachineWatcher();
    const subs = [0, 1, 2].map(() => watcher.subscribe(() => undefined));
    await sleep(100);
    expect(server.clientCount).toBe(1);
    expect(watcher.connections).toBe(1);
    subs.forEach((s) => s.dispose());
    await sleep(50);
    expect(server.clientCount).toBe(0); // the last one out ends the watching
  });

  it('sees machines made and removed by others (the CLI)', async () => {
    const seen = watch();
    await sleep(20);
    machine('new');
    expect(await seen.arrives('new', 'stopped')).toBeLessThan(100);
    removeProfile('new');
    await sleep(50);
    machine('new');
    await seen.arrives('new', 'stopped'); // forgotten when removed: a new machine of that name is news
  });

  it('sends nothing from a runtime folder that is not private, and catches up once it is', async () => {
    machine('web');
    const seen = watch();
    const root = path.join(process.env.XDG_RUNTIME_DIR!, 'burrow');
    fs.chmodSync(root, 0o755);
    fs.mkdirSync(path.join(root, 'web'), { mode: 0o700 });
    fs.writeFileSync(path.join(root, 'web', 'state.json'), JSON.stringify({ name: 'web', state: 'starting', supervisorPid: process.pid }));
    await sleep(100);
    expect(seen.statuses).toEqual([]);
    fs.chmodSync(root, 0o700);
    await seen.arrives('web', 'starting');
  });

  it('survives the runtime folder disappearing (logout, a cleaned /tmp) and coming back', async () => {
    machine('web');
    record('web', 'exited');
    const seen = watch();
    fs.rmSync(path.join(process.env.XDG_RUNTIME_DIR!), { recursive: true });
    await seen.arrives('web', 'stopped');
    fs.mkdirSync(path.join(process.env.XDG_RUNTIME_DIR!, 'burrow'), { recursive: true, mode: 0o700 });
    fs.chmodSync(process.env.XDG_RUNTIME_DIR!, 0o700);
    await sleep(30);
    record('web', 'starting');
    expect(await seen.arrives('web', 'starting')).toBeLessThan(100);
  });

  it('falls back to looking every few seconds where inotify has no watches left, and says so once', async () => {
    machine('web');
    record('web', 'exited');
    const lines: string[] = [];
    const seen = watch({
      fallbackMs: 150,
      log: (l) => lines.push(l),
      watch: () => {
        throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
      },
    });
    record('web', 'starting');
    await seen.arrives('web', 'starting', 1000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cannot watch .* \(ENOSPC\): machine states are looked at every 0.15 s instead of as they change/);
  });

  it('ignores what is no machine of ours in the runtime folder (names, links, junk)', async () => {
    machine('web');
    const seen = watch();
    const root = path.join(process.env.XDG_RUNTIME_DIR!, 'burrow');
    fs.mkdirSync(path.join(root, 'ghost'));
    fs.writeFileSync(path.join(root, 'ghost', 'state.json'), JSON.stringify({ name: 'ghost', state: 'running' }));
    fs.writeFileSync(path.join(root, '\u001b]0;pwned\u0007'), 'x');
    fs.symlinkSync('/etc', path.join(root, 'link'));
    fs.mkdirSync(path.join(root, 'web'), { mode: 0o700 });
    fs.writeFileSync(path.join(root, 'web', 'state.json'), '{"name": "web", "state": "running", "pid1": "; rm -rf /"}');
    await sleep(100);
    expect(seen.statuses).toEqual([]); // a record that does not parse is no record: web stays as it was (stopped)
  });
});
