// The per-machine supervisor: a small detached process that owns one machine for its whole life.
// It runs the launch plan on a pty (the machine's /dev/console), listens on the readiness socket, keeps
// the console history, serves the control socket (control-server.ts: attach, resize, stop, kill, status)
// and records the machine's state in state.json. If it dies, bwrap's --die-with-parent takes the machine
// down with it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IPty } from 'node-pty';
import { isUp, type MachineState, type MachineStatus } from '../contract/machine-state';
import { moveToCgroup, probeCgroups } from '../engine/cgroups';
import { DisposableStore, toDisposable } from '../engine/disposable';
import { execCapture } from '../engine/exec';
import type { LaunchPlan } from '../engine/launch-plan-types';
import { processStartTime, publicStatus, runtimeFiles, writeRecord, type RuntimeRecord } from '../engine/runtime-state';
import { ConsoleHistory } from './console-history';
import { ControlServer } from './control-server';
import { startNetworkHelper } from './network-helper';
import { Coalescer } from './coalescer';
import { boundText, listenForNotify, notifyManager } from './readiness';
import { discardOverlay } from '../engine/overlay';
import { enterUnitCgroup, killMachineProcesses, prepareMachineCgroups, rebaseUnitCgroup, removeMachineCgroups } from '../engine/machine-cgroup';
import { ConsoleJournal } from './console-journal';
import { NetworkMembership } from '../engine/user-network-client';

const pty = require('node-pty') as typeof import('node-pty');

export interface SupervisorInput {
  plan: LaunchPlan;
  stopTimeoutSec: number;
  cols?: number;
  rows?: number;
}

/** SIGRTMIN+3 with glibc: systemd's "halt" request. */
const SIGRTMIN_PLUS_3 = 37;
/** Exit status of bwrap when PID 1 rebooted (SIGHUP from reboot(2) in a pid namespace). */
const EXIT_REBOOT = 129;
const EXIT_HALT = 130;
const HEALTH_INTERVAL_MS = 10000;
/** STATUS= text alone is written to state.json and sent to clients at most this often (state changes at once). */
const STATUS_TEXT_INTERVAL_MS = 250;
/** Failed units as systemctl inside lists them: the guest decides, so the list is bounded. */
const MAX_FAILED_UNITS = 100;
const MAX_UNIT_NAME = 256;

export class Supervisor {
  private readonly files;
  private readonly history = new ConsoleHistory();
  private control?: ControlServer;
  private readonly store = new DisposableStore();
  /** What belongs to one launch of the machine (renewed on reboot). */
  private machineStore = new DisposableStore();
  private record: RuntimeRecord;
  private term?: IPty;
  private launchedAt = 0;
  private stopRequested = false;
  /** Why the launch failed before PID 1 ran (a network helper that could not bind a port). */
  private launchFailure?: string;
  private killRequested = false;
  private killTimer?: NodeJS.Timeout;
  private healthTimer?: NodeJS.Timeout;
  private cols: number;
  private rows: number;
  /** Run as a unit of the user's systemd (burrow-NAME.service): systemd owns the machine's cgroup. */
  private readonly inUnit: boolean;
  /** In a unit, the console's lines also go to the unit's journal. */
  private readonly journal?: ConsoleJournal;
  /** The machine's user network, joined before its first launch and kept across reboots. */
  private network?: NetworkMembership;
  /** The state systemd last heard of (Type=notify), in a unit. */
  private toldState: MachineState = 'starting';
  /** Writes state.json and tells the clients: at once for changes of state, coalesced for STATUS= text. */
  private readonly publish = new Coalescer(() => {
    writeRecord(this.record);
    this.control?.broadcast({ event: 'status', status: this.publicStatus() });
    if (this.inUnit) this.tellManager();
  }, STATUS_TEXT_INTERVAL_MS);

  constructor(private readonly input: SupervisorInput) {
    this.inUnit = !!input.plan.cgroup.unit && process.env.BURROW_UNIT === input.plan.cgroup.unit;
    if (this.inUnit) {
      // systemd chose the unit's cgroup; the plan guessed it. Trust what the kernel says.
      input.plan = rebaseUnitCgroup(input.plan);
      this.journal = new ConsoleJournal((line) => process.stdout.write(line + '\n'));
    }
    this.files = runtimeFiles(input.plan.machine);
    this.cols = input.cols ?? 120;
    this.rows = input.rows ?? 32;
    this.record = {
      name: input.plan.machine,
      state: 'starting',
      supervisorPid: process.pid,
      supervisorStartTime: processStartTime(process.pid),
      startedAt: new Date().toISOString(),
      cgroupDirs: input.plan.cgroup.dirs.map((d) => d.hostDir),
      unifiedCgroupDir: input.plan.cgroup.dirs.find((d) => d.hierarchy === 'unified')?.hostDir,
      unit: this.inUnit ? input.plan.cgroup.unit : undefined,
    };
  }

  start(): void {
    if (this.inUnit) enterUnitCgroup(this.input.plan.cgroup.dirs.find((d) => d.hierarchy === 'unified')!.hostDir);
    this.store.add(this.publish);
    writeRecord(this.record);
    this.listenControl();
    this.launch();
  }

  private update(patch: Partial<RuntimeRecord>): void {
    this.record = { ...this.record, ...patch };
    this.publish.runNow();
  }

  /** Type=notify: systemd hears when the machine is ready (systemctl --user start returns then) and stops. */
  private tellManager(): void {
    const { state, statusText } = this.record;
    const before = this.toldState;
    this.toldState = state;
    const summary = state === 'running' ? 'Running' : `Degraded: ${(this.record.failedUnits ?? []).join(' ')}`;
    if (isUp(state) && before === 'starting') notifyManager(`READY=1\nSTATUS=${summary}`);
    else if (state === 'stopping' && before !== 'stopping') notifyManager('STOPPING=1\nSTATUS=Stopping');
    else if (state === 'starting' && statusText) notifyManager(`STATUS=Booting: ${statusText}`);
  }

  private publicStatus(): MachineStatus {
    return publicStatus(this.record);
  }

  private launch(): void {
    const { plan } = this.input;
    // The machine's user namespace is made inside its network's: join first (that starts the network if need be).
    if (plan.network.userNetwork && !this.network) return void this.joinNetwork(plan.network.userNetwork);
    this.machineStore = new DisposableStore();
    fs.mkdirSync(this.files.hostDir, { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(this.files.hostDir, 'container-manager'), 'burrow\n');
    this.prepareCgroups();
    this.machineStore.add(listenForNotify(plan.notifySocket, (m) => this.onNotify(m.ready, m.stopping, m.status)));
    fs.rmSync(this.files.info, { force: true });
    this.launchedAt = performance.now();
    const argv = this.network ? this.network.launchArgv(plan.argv) : plan.argv;
    const term = pty.spawn(argv[0]!, argv.slice(1), {
      name: 'xterm-256color',
      cols: this.cols,
      rows: this.rows,
      cwd: '/',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: process.env.LANG ?? 'C.UTF-8' },
      encoding: null,
    } as Parameters<typeof pty.spawn>[2]);
    this.term = term;
    this.record.bwrapPid = term.pid;
    const dataSub = term.onData((data: string | Buffer) => this.onConsole(typeof data === 'string' ? Buffer.from(data) : data));
    const exitSub = term.onExit(({ exitCode, signal }) => this.onExit(exitCode, signal));
    this.machineStore.add(toDisposable(() => dataSub.dispose()));
    this.machineStore.add(toDisposable(() => exitSub.dispose()));
    this.watchInfo();
  }

  /** The machine's cgroups, with its limits, before PID 1 starts in them. */
  private prepareCgroups(): void {
    const { limits, cgroup } = this.input.plan;
    const outcome = prepareMachineCgroups(cgroup.dirs, limits.unavailable ? [] : limits.writes, this.inUnit);
    if (!limits.writes.length) return;
    this.record.limits = limits.unavailable ? { applied: [], unavailable: limits.unavailable } : outcome;
    if (this.record.limits.unavailable) this.history.append(Buffer.from(`[burrow] resource limits not applied: ${this.record.limits.unavailable}\r\n`));
  }

  private async joinNetwork(net: NonNullable<LaunchPlan['network']['userNetwork']>): Promise<void> {
    const log = (line: string) => this.history.append(Buffer.from(`[burrow] ${line}\r\n`));
    try {
      this.network = this.store.add(await NetworkMembership.join(net, this.input.plan.machine, this.input.plan.cgroup.dirs.map((d) => d.hostDir), log));
    } catch (e) {
      const message = `the machine could not join network ${net.name}: ${(e as Error).message}`;
      log(message);
      this.update({ state: 'crashed', message });
      return this.shutdown(this.inUnit ? 1 : 0);
    }
    // Stopped (or killed) while it joined: nothing ran yet, so nothing needs to stop.
    if (this.stopRequested) {
      this.update({ state: 'exited', message: this.killRequested ? 'killed on request' : 'stopped on request' });
      return this.shutdown(0);
    }
    this.launch();
  }

  /** In nat mode PID 1 waits (bwrap --block-fd) until the helper has configured its network namespace (and its user network's). */
  private async startNetwork(pid1: number): Promise<void> {
    const { network } = this.input.plan;
    if (!network.helper || !network.blockFifo) return;
    // Its user network's veth pair is plugged in while pasta starts (each takes some 15 ms).
    const attached = this.network?.attach(pid1);
    attached?.catch(() => undefined); // awaited below, once the helper is ours to stop
    try {
      const helper = await startNetworkHelper(network.helper, pid1, network.ports, this.files.dir);
      this.machineStore.add(helper);
      this.record.networkHelperPid = helper.pid;
      this.record.networkHelperStartTime = processStartTime(helper.pid);
      if (attached) this.update({ userNetwork: { name: this.network!.plan.name, address: await attached } });
      const fd = fs.openSync(network.blockFifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      fs.writeSync(fd, 'go');
      fs.closeSync(fd);
      this.network?.announce(true);
    } catch (e) {
      this.launchFailure = (e as Error).message;
      this.history.append(Buffer.from(`\r\n[burrow] ${this.launchFailure}\r\n`));
      this.kill();
    }
  }

  /** bwrap writes {"child-pid": N, ...} to fd 3 once PID 1 exists; the launch script points fd 3 here. */
  private watchInfo(): void {
    const poll = setInterval(() => {
      let info: { 'child-pid'?: number };
      try {
        info = JSON.parse(fs.readFileSync(this.files.info, 'utf8'));
      } catch {
        return;
      }
      if (!info['child-pid']) return;
      clearInterval(poll);
      // bwrap itself stays outside, back in the supervisor's own cgroup (a leaf: where limits were applied,
      // the machine's parent passes controllers on and may hold no process); only PID 1's tree belongs in
      // the machine's cgroup.
      const own = probeCgroups(process.getuid!());
      for (const dir of this.input.plan.cgroup.dirs) {
        const home = dir.hierarchy === 'unified' ? own.unified?.dir : own.systemd?.dir;
        try {
          moveToCgroup(home ?? path.dirname(dir.hostDir), this.record.bwrapPid!);
        } catch {
          /* bwrap already gone: onExit handles it */
        }
      }
      this.update({ pid1: info['child-pid'] });
      void this.startNetwork(info['child-pid']);
      if (this.stopRequested) this.signalStop();
      else if (this.record.readyAt && this.record.state === 'starting') void this.checkHealth(true);
    }, 5);
    this.machineStore.add(toDisposable(() => clearInterval(poll)));
  }

  private onNotify(ready: boolean, stopping: boolean, status?: string): void {
    if (status !== undefined) this.record.statusText = status;
    if (ready && this.record.state === 'starting' && !this.record.readyAt) {
      // Ready: record the boot time now, then tell running from degraded before announcing it.
      this.record.readyAt = new Date().toISOString();
      this.record.bootMs = Math.round(performance.now() - this.launchedAt);
      void this.checkHealth(true);
      this.healthTimer = setInterval(() => void this.checkHealth(), HEALTH_INTERVAL_MS);
      this.machineStore.add(toDisposable(() => clearInterval(this.healthTimer)));
    } else if (stopping && this.record.state !== 'stopping') {
      this.update({ state: 'stopping' });
    } else if (status !== undefined) {
      this.publish.runSoon();
    }
  }

  /** running vs degraded: does systemd inside report failed units? */
  private async checkHealth(first = false): Promise<void> {
    const pid1 = this.record.pid1;
    const live = () => isUp(this.record.state) || (first && this.record.state === 'starting');
    if (!pid1 || !live()) return;
    const listed = await this.listFailedUnits(pid1);
    if (!live()) return;
    const failed = listed.slice(0, MAX_FAILED_UNITS).map((u) => boundText(u, MAX_UNIT_NAME));
    const state: MachineState = failed.length ? 'degraded' : 'running';
    if (first || state !== this.record.state || JSON.stringify(failed) !== JSON.stringify(this.record.failedUnits ?? [])) this.update({ state, failedUnits: failed });
  }

  /**
   * systemctl inside (systemd refuses its private bus to a peer outside its pid namespace, so this takes a
   * process). It runs straight under nsenter, without the shell that moves a user's commands into the
   * machine's cgroup: a short query of the supervisor's own, on the path of every boot.
   */
  private async listFailedUnits(pid1: number): Promise<string[]> {
    const single = this.input.plan.idMapping.mode === 'single';
    const argv = ['systemctl', 'list-units', '--state=failed', '--plain', '--no-legend', '--no-pager'];
    const r = await execCapture({ pid1, single, cgroupDirs: [] }, argv, 5000);
    return r.code === 0 ? r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean) : (this.record.failedUnits ?? []);
  }

  private onConsole(chunk: Buffer): void {
    this.history.append(chunk);
    this.journal?.push(chunk);
    this.control?.console(chunk);
  }

  private onExit(exitCode: number, signal?: number): void {
    this.machineStore.dispose();
    this.cleanupCgroups();
    const requested = this.stopRequested;
    if (exitCode === EXIT_REBOOT && !requested) {
      this.network?.announce(false);
      this.history.append(Buffer.from('\r\n[burrow] the machine rebooted; starting it again\r\n'));
      this.update({ state: 'starting', pid1: undefined, readyAt: undefined, bootMs: undefined, failedUnits: undefined, statusText: 'Rebooting' });
      this.launch();
      return;
    }
    clearTimeout(this.killTimer);
    this.discardEphemeral();
    const failure = this.launchFailure;
    const clean = !failure && (requested || exitCode === EXIT_HALT || exitCode === 0);
    const wasReady = !!this.record.readyAt;
    const message = failure
      ? failure
      : requested
      ? signal === 9 || this.killRequested
        ? 'killed on request'
        : 'stopped on request'
      : exitCode === EXIT_HALT
        ? 'the machine halted (poweroff or halt inside)'
        : wasReady
          ? `PID 1 ended unexpectedly (exit ${exitCode}${signal ? `, signal ${signal}` : ''})`
          : `the machine failed to boot (exit ${exitCode}); the console's last lines say why`;
    fs.writeFileSync(this.files.consoleTail, this.history.tail(64 * 1024));
    this.journal?.flush();
    this.update({ state: clean ? 'exited' : 'crashed', exitCode: failure ? undefined : exitCode, message, pid1: undefined, networkHelperPid: undefined, statusText: undefined, userNetwork: undefined });
    if (this.inUnit) process.stderr.write(`${this.input.plan.machine} ${clean ? 'exited' : 'crashed'}: ${message}\n`);
    // In a unit, a crash is the unit's failure too (systemctl --user status says so).
    this.shutdown(clean || !this.inUnit ? 0 : 1);
  }

  /** An ephemeral machine's changes end with it (a reboot keeps them: that is not a stop). */
  private discardEphemeral(): void {
    const { storage } = this.input.plan;
    if (storage.mode !== 'ephemeral' || !storage.overlay) return;
    try {
      discardOverlay(storage.overlay.dir);
    } catch (e) {
      this.history.append(Buffer.from(`[burrow] could not discard the ephemeral changes: ${(e as Error).message}\r\n`));
    }
  }

  private cleanupCgroups(): void {
    killMachineProcesses(this.input.plan.cgroup.dirs);
    removeMachineCgroups(this.input.plan.cgroup.dirs, !this.inUnit);
  }

  private shutdown(code: number): void {
    // Clients get the final status (end() flushes what is queued), then the supervisor goes at once:
    // a caller waiting for it to exit (burrow stop) should not wait for a timer.
    const flushed = this.control?.end() ?? Promise.resolve();
    this.store.dispose();
    fs.rmSync(this.files.control, { force: true });
    const exit = () => process.exit(code);
    void flushed.then(exit);
    setTimeout(exit, 200).unref();
  }

  private signalStop(): void {
    const pid1 = this.record.pid1;
    if (!pid1) return; // sent as soon as PID 1 is known (watchInfo)
    try {
      process.kill(pid1, SIGRTMIN_PLUS_3);
    } catch {
      /* already gone */
    }
  }

  stop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.update({ state: 'stopping' });
    if (!this.record.pid1) this.kill();
    else this.signalStop();
    this.killTimer = setTimeout(() => this.kill(), this.input.stopTimeoutSec * 1000);
  }

  kill(): void {
    this.stopRequested = true;
    this.killRequested = true;
    killMachineProcesses(this.input.plan.cgroup.dirs);
    try {
      if (this.record.pid1) process.kill(this.record.pid1, 'SIGKILL');
    } catch {
      /* gone */
    }
    this.term?.kill('SIGKILL');
  }

  private listenControl(): void {
    this.control = this.store.add(
      new ControlServer(this.files.control, {
        status: () => this.publicStatus(),
        history: () => this.history.parts(),
        // Bytes as typed, not decoded: a character split across two frames arrives whole.
        input: (data) => this.term?.write(data),
        resize: (cols, rows) => {
          // TIOCSWINSZ only: SIGWINCH goes to bwrap's session, never to PID 1 (which runs in its own).
          this.cols = cols;
          this.rows = rows;
          this.term?.resize(cols, rows);
        },
        stop: () => this.stop(),
        kill: () => this.kill(),
        setPaused: (paused) => (paused ? this.term?.pause() : this.term?.resume()),
      }),
    );
  }
}
