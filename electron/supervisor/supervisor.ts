// The per-machine supervisor: a small detached process that owns one machine for its whole life. It keeps
// the machine's record (state.json), the console history and the control socket (control-server.ts), and
// runs the machine as launches (machine-launch.ts: the pty, readiness, PID 1, the network), one per boot:
// a reboot ends one launch and starts the next. How an end reads is exit-verdict.ts; running vs degraded
// is health-check.ts; what systemd hears in a unit is unit-readiness.ts. If the supervisor dies, bwrap's
// --die-with-parent takes the machine down with it.
import * as fs from 'node:fs';
import { isUp, type MachineState, type MachineStatus } from '../contract/machine-state';
import { DisposableStore, toDisposable } from '../engine/disposable';
import type { LaunchPlan } from '../engine/launch-plan-types';
import {
  enterUnitCgroup,
  hangUpSessions,
  killMachineProcesses,
  machineProcesses,
  prepareMachineCgroups,
  rebaseUnitCgroup,
  removeMachineCgroups,
} from '../engine/machine-cgroup';
import { ConsoleLogWriter } from '../engine/console-log';
import { forgetKeptJournal, keepEphemeralJournal } from '../engine/ephemeral-journal';
import { discardOverlay } from '../engine/overlay';
import { processStartTime, publicStatus, runtimeFiles, writeRecord, type RuntimeRecord } from '../engine/runtime-state';
import { NetworkMembership } from '../engine/user-network-client';
import { Coalescer } from './coalescer';
import { ConsoleHistory } from './console-history';
import { ConsoleJournal } from './console-journal';
import { ControlServer } from './control-server';
import { exitVerdict } from './exit-verdict';
import { healthChange, HEALTH_INTERVAL_MS, listFailedUnits } from './health-check';
import { MachineLaunch } from './machine-launch';
import { ensurePersistentJournal } from './persistent-journal';
import { notifyManager, type NotifyMessage } from './readiness';
import { unitNotice } from './unit-readiness';

export interface SupervisorInput {
  plan: LaunchPlan;
  stopTimeoutSec: number;
  cols?: number;
  rows?: number;
}

/** SIGRTMIN+3 with glibc: systemd's "halt" request. */
const SIGRTMIN_PLUS_3 = 37;
/** STATUS= text alone is written to state.json and sent to clients at most this often (state changes at once). */
const STATUS_TEXT_INTERVAL_MS = 250;

export class Supervisor {
  private readonly files;
  private readonly history = new ConsoleHistory();
  /** The console as it prints, in the runtime folder: readable after the machine ends, however it ends. */
  private consoleLog?: ConsoleLogWriter;
  private readonly store = new DisposableStore();
  private control?: ControlServer;
  /** The current boot; a reboot replaces it. */
  private launch?: MachineLaunch;
  private record: RuntimeRecord;
  private stopRequested = false;
  private killRequested = false;
  private journalChecked = false;
  /** Why the launch failed before PID 1 ran (a network helper that could not bind a port). */
  private launchFailure?: string;
  private readonly size: { cols: number; rows: number };
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
    this.size = { cols: input.cols ?? 120, rows: input.rows ?? 32 };
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
    // The control socket first: whoever reads the record's `starting` (a window attaching the console at
    // once, now that state reaches it as it changes) finds the socket there to attach to.
    this.listenControl();
    writeRecord(this.record);
    this.consoleLog = this.store.add(new ConsoleLogWriter(this.files.consoleTail));
    if (this.input.plan.storage.mode === 'ephemeral') forgetKeptJournal(this.input.plan.machine);
    this.boot();
  }

  private update(patch: Partial<RuntimeRecord>): void {
    this.record = { ...this.record, ...patch };
    this.publish.runNow();
  }

  /** Type=notify: systemd hears when the machine is ready (systemctl --user start returns then) and stops. */
  private tellManager(): void {
    const notice = unitNotice(this.toldState, this.record);
    this.toldState = this.record.state;
    if (notice) notifyManager(notice);
  }

  private publicStatus(): MachineStatus {
    return publicStatus(this.record);
  }

  /** One launch: the cgroups (with their limits) first, then PID 1 on the pty. */
  private boot(): void {
    const { plan } = this.input;
    // The machine's user namespace is made inside its network's: join first (that starts the network if need be).
    if (plan.network.userNetwork && !this.network) return void this.joinNetwork(plan.network.userNetwork);
    this.prepareCgroups();
    const launch = new MachineLaunch(
      plan,
      this.files,
      this.size,
      {
        console: (chunk) => this.onConsole(chunk),
        notify: (m) => this.onNotify(launch, m),
        pid1: (pid) => this.onPid1(launch, pid),
        exit: (code, signal) => this.onExit(code, signal),
      },
      this.network,
    );
    this.launch = launch;
    this.record.bwrapPid = launch.bwrapPid;
  }

  /** The machine's cgroups, with its limits, before PID 1 starts in them. */
  private prepareCgroups(): void {
    const { limits, cgroup } = this.input.plan;
    const outcome = prepareMachineCgroups(cgroup.dirs, limits.unavailable ? [] : limits.writes, this.inUnit);
    if (!limits.writes.length) return;
    this.record.limits = limits.unavailable ? { applied: [], unavailable: limits.unavailable } : outcome;
    if (this.record.limits.unavailable) this.note(`[burrow] resource limits not applied: ${this.record.limits.unavailable}\r\n`);
  }

  private async joinNetwork(net: NonNullable<LaunchPlan['network']['userNetwork']>): Promise<void> {
    const log = (line: string) => this.note(`[burrow] ${line}\r\n`);
    try {
      this.network = this.store.add(
        await NetworkMembership.join(
          net,
          this.input.plan.machine,
          this.input.plan.cgroup.dirs.map((d) => d.hostDir),
          log,
        ),
      );
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
    this.boot();
  }

  private onPid1(launch: MachineLaunch, pid1: number): void {
    this.update({ pid1 });
    void this.startNetwork(launch, pid1);
    if (this.stopRequested) this.signalStop();
    else if (this.record.readyAt && this.record.state === 'starting') void this.checkHealth(true);
  }

  private async startNetwork(launch: MachineLaunch, pid1: number): Promise<void> {
    try {
      const started = await launch.startNetwork(pid1);
      if (!started) return;
      this.record.networkHelperPid = started.helperPid;
      this.record.networkHelperStartTime = processStartTime(started.helperPid);
      if (started.address) this.update({ userNetwork: { name: this.network!.plan.name, address: started.address } });
      this.network?.announce(true);
    } catch (e) {
      this.launchFailure = (e as Error).message;
      this.note(`\r\n[burrow] ${this.launchFailure}\r\n`);
      this.kill();
    }
  }

  private onNotify(launch: MachineLaunch, { ready, stopping, status }: NotifyMessage): void {
    if (status !== undefined) this.record.statusText = status;
    if (ready && this.record.state === 'starting' && !this.record.readyAt) {
      // Ready: record the boot time now, then tell running from degraded before announcing it.
      this.record.readyAt = new Date().toISOString();
      this.record.bootMs = Math.round(performance.now() - launch.startedAt);
      void this.checkHealth(true).then(() => this.keepJournal());
      const timer = setInterval(() => void this.checkHealth(), HEALTH_INTERVAL_MS);
      launch.own(toDisposable(() => clearInterval(timer)));
    } else if (stopping && this.record.state !== 'stopping') {
      this.update({ state: 'stopping' });
    } else if (status !== undefined) {
      this.publish.runSoon();
    }
  }

  /** running vs degraded, once at READY=1 (first) and then every HEALTH_INTERVAL_MS while up. */
  private async checkHealth(first = false): Promise<void> {
    const pid1 = this.record.pid1;
    const live = () => isUp(this.record.state) || (first && this.record.state === 'starting');
    if (!pid1 || !live()) return;
    const single = this.input.plan.idMapping.mode === 'single';
    const answer = await listFailedUnits(pid1, single);
    if (!live()) return;
    const change = healthChange(answer, this.record, first);
    if (change) this.update(change);
  }

  /** Once per supervisor, after the first check: a tree without /var/log/journal gets one, so its journal outlives the stop. */
  private async keepJournal(): Promise<void> {
    const pid1 = this.record.pid1;
    if (this.journalChecked || !pid1) return;
    this.journalChecked = true;
    const single = this.input.plan.idMapping.mode === 'single';
    if (!(await ensurePersistentJournal(this.input.plan, { pid1, single, cgroupDirs: this.record.cgroupDirs ?? [] }))) {
      this.note('[burrow] this machine keeps no persistent journal (it has no /var/log/journal): its journal ends with it\r\n');
    }
  }

  private onConsole(chunk: Buffer): void {
    this.history.append(chunk);
    this.consoleLog?.append(chunk);
    this.journal?.push(chunk);
    this.control?.console(chunk);
  }

  private onExit(exitCode: number, signal?: number): void {
    this.launch?.dispose();
    this.launch = undefined;
    this.cleanupCgroups();
    const verdict = exitVerdict({
      exitCode,
      signal,
      stopRequested: this.stopRequested,
      killRequested: this.killRequested,
      launchFailure: this.launchFailure,
      wasReady: !!this.record.readyAt,
    });
    if (verdict.relaunch) {
      this.network?.announce(false);
      this.note(`\r\n[burrow] ${verdict.note}\r\n`);
      this.update({ state: 'starting', pid1: undefined, readyAt: undefined, bootMs: undefined, failedUnits: undefined, statusText: 'Rebooting' });
      this.boot();
      return;
    }
    this.discardEphemeral();
    this.consoleLog?.flush();
    this.journal?.flush();
    const { state, message } = verdict;
    const endedAt = new Date().toISOString();
    this.update({
      state,
      exitCode: verdict.exitCode,
      message,
      endedAt,
      pid1: undefined,
      networkHelperPid: undefined,
      statusText: undefined,
      userNetwork: undefined,
    });
    if (this.inUnit) process.stderr.write(`${this.input.plan.machine} ${state}: ${message}\n`);
    // In a unit, a crash is the unit's failure too (systemctl --user status says so).
    this.shutdown(state === 'exited' || !this.inUnit ? 0 : 1);
  }

  /** Burrow's own line in the console's history and log (not sent to attached clients). */
  private note(text: string): void {
    const chunk = Buffer.from(text);
    this.history.append(chunk);
    this.consoleLog?.append(chunk);
  }

  /** An ephemeral machine's changes end with it (a reboot keeps them: that is not a stop). */
  private discardEphemeral(): void {
    const { storage } = this.input.plan;
    if (storage.mode !== 'ephemeral' || !storage.overlay) return;
    // Its journal is kept first, so that the last boot can still be read (journal-at-rest.ts).
    keepEphemeralJournal(this.input.plan.machine, storage.overlay.upper);
    try {
      discardOverlay(storage.overlay.dir);
    } catch (e) {
      this.note(`[burrow] could not discard the ephemeral changes: ${(e as Error).message}\r\n`);
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
    if (!pid1) return; // sent as soon as PID 1 is known (onPid1)
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
    hangUpSessions(this.input.plan.cgroup.dirs);
    if (!this.record.pid1) this.kill();
    else this.signalStop();
    const killTimer = setTimeout(() => {
      const left = machineProcesses(this.input.plan.cgroup.dirs);
      const what = left.length ? `; still running: ${left.join(', ')}` : '';
      this.note(`\r\n[burrow] the machine did not halt within ${this.input.stopTimeoutSec} s of the stop request, so it is killed${what}\r\n`);
      this.kill();
    }, this.input.stopTimeoutSec * 1000);
    this.store.add(toDisposable(() => clearTimeout(killTimer)));
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
    this.launch?.kill();
  }

  private listenControl(): void {
    this.control = this.store.add(
      new ControlServer(this.files.control, {
        status: () => this.publicStatus(),
        history: () => this.history.parts(),
        // Bytes as typed, not decoded: a character split across two frames arrives whole.
        input: (data) => this.launch?.write(data),
        resize: (cols, rows) => {
          this.size.cols = cols;
          this.size.rows = rows;
          this.launch?.resize(cols, rows);
        },
        stop: () => this.stop(),
        kill: () => this.kill(),
        setPaused: (paused) => this.launch?.setPaused(paused),
      }),
    );
  }
}
