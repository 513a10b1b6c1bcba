// One launch of a machine: the plan run on a pty (the machine's /dev/console, console-pty.ts), the readiness socket,
// bwrap's info (PID 1's pid, through a FIFO), bwrap's move out of the machine's cgroup, and the network helper.
// A reboot ends a launch and makes a new one. Everything a launch starts (listeners, watches, timers, the
// network helper) it owns, and disposing it ends them all; the pty's process ends by itself or by kill().
import * as fs from 'node:fs';
import * as path from 'node:path';
import { moveToCgroup, probeCgroups } from '../engine/cgroups';
import { DisposableStore, type Disposable } from '../engine/disposable';
import type { LaunchPlan } from '../engine/launch-plan-types';
import type { runtimeFiles } from '../engine/runtime-state';
import { whenBwrapInfo } from './bwrap-info';
import { ConsolePty } from './console-pty';
import { startNetworkHelper } from './network-helper';
import { listenForNotify, type NotifyMessage } from './readiness';

export interface LaunchHandlers {
  console(chunk: Buffer): void;
  notify(message: NotifyMessage): void;
  /** bwrap reported PID 1; bwrap itself is already back outside the machine's cgroup. */
  pid1(pid: number): void;
  exit(exitCode: number, signal?: number): void;
}

type RuntimeFiles = ReturnType<typeof runtimeFiles>;

/** The machine's user network, as a launch uses it (NetworkMembership, kept by the supervisor across reboots). */
export interface LaunchNetwork {
  /** The plan's argv with the network's keeper filled in. */
  launchArgv(argv: string[]): string[];
  /** PID 1's namespace plugged into the network's bridge; resolves with its address there. */
  attach(pid1: number): Promise<string>;
}

export interface NetworkStarted {
  helperPid: number;
  /** The machine's address on its user network, where it is on one. */
  address?: string;
}

export class MachineLaunch implements Disposable {
  private readonly store = new DisposableStore();
  private readonly term: ConsolePty;
  /** performance.now() at the spawn: boot time is measured from here. */
  readonly startedAt: number;

  constructor(
    private readonly plan: LaunchPlan,
    private readonly files: RuntimeFiles,
    size: { cols: number; rows: number },
    handlers: LaunchHandlers,
    private readonly network?: LaunchNetwork,
  ) {
    try {
      fs.mkdirSync(files.hostDir, { recursive: true, mode: 0o755 });
      fs.writeFileSync(path.join(files.hostDir, 'container-manager'), 'burrow\n');
      this.store.add(listenForNotify(plan.notifySocket, handlers.notify));
      // bwrap's info comes through a FIFO the launch script points fd 3 at: its reader is open first.
      this.store.add(
        whenBwrapInfo(files.info, (pid) => {
          this.leaveMachineCgroups();
          handlers.pid1(pid);
        }),
      );
      this.startedAt = performance.now();
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: process.env.LANG ?? 'C.UTF-8', TERM: 'xterm-256color' };
      this.term = this.store.add(
        new ConsolePty(network ? network.launchArgv(plan.argv) : plan.argv, env, size, { data: handlers.console, exit: handlers.exit }),
      );
    } catch (e) {
      this.store.dispose(); // a launch that could not start leaves no socket or watch behind
      throw e;
    }
  }

  /** The bwrap process on the pty. */
  get bwrapPid(): number {
    return this.term.pid;
  }

  /** Ties something to this launch: it ends with it (the health checks, a timer). */
  own<T extends Disposable>(item: T): T {
    return this.store.add(item);
  }

  /**
   * bwrap itself goes back to the supervisor's own cgroup (a leaf: where limits were applied, the machine's
   * parent passes controllers on and may hold no process); only PID 1's tree belongs in the machine's.
   */
  private leaveMachineCgroups(): void {
    const own = probeCgroups(process.getuid!());
    for (const dir of this.plan.cgroup.dirs) {
      const home = dir.hierarchy === 'unified' ? own.unified?.dir : own.systemd?.dir;
      try {
        moveToCgroup(home ?? path.dirname(dir.hostDir), this.term.pid);
      } catch {
        /* bwrap already gone: the exit handler sees it */
      }
    }
  }

  /**
   * In nat mode PID 1 waits (bwrap --block-fd) until the helper has configured its network namespace and
   * bound every forward (and its user network's veth pair is plugged in). Resolves with the helper's pid
   * and the user network address (undefined without a helper); rejects with a sentence.
   */
  async startNetwork(pid1: number): Promise<NetworkStarted | undefined> {
    const { network } = this.plan;
    if (!network.helper || !network.blockFifo) return undefined;
    // The user network's veth pair is plugged in while pasta starts (each takes some 15 ms).
    const attached = this.network?.attach(pid1);
    attached?.catch(() => undefined); // awaited below, once the helper is ours to stop
    const helper = this.store.add(await startNetworkHelper(network.helper, pid1, network.ports, this.files.dir));
    const address = await attached;
    const fd = fs.openSync(network.blockFifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    fs.writeSync(fd, 'go');
    fs.closeSync(fd);
    return { helperPid: helper.pid, address };
  }

  /** Keys for the console: bytes as typed. */
  write(data: Buffer): void {
    this.term.write(data);
  }

  /** TIOCSWINSZ only (console-pty.ts): no signal ever goes to PID 1 for it. */
  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  /** Flow control: stop reading the console while a client lags. */
  setPaused(paused: boolean): void {
    this.term.setPaused(paused);
  }

  kill(): void {
    this.term.kill();
  }

  dispose(): void {
    this.store.dispose();
  }
}
