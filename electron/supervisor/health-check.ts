// running vs degraded: does systemd inside report failed units? Asked once READY=1 arrives, then every
// 10 s while the machine is up. The guest writes the answer, so it is bounded before it is kept.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import type { MachineState } from '../contract/machine-state';
import type { Disposable } from '../engine/disposable';
import { execCapture, guestEnv, nsenterArgv } from '../engine/exec';
import { boundText } from './readiness';

export const HEALTH_INTERVAL_MS = 10000;
/** Failed units as systemctl inside lists them: the guest decides, so the list is bounded. */
const MAX_FAILED_UNITS = 100;
const MAX_UNIT_NAME = 256;
const LIST_FAILED = ['systemctl', 'list-units', '--state=failed', '--plain', '--no-legend', '--no-pager'];

/** The unit names in `systemctl list-units --plain --no-legend` output, bounded in number and length. */
export function parseFailedUnits(stdout: string): string[] {
  const names = stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0]!)
    .filter(Boolean);
  return names.slice(0, MAX_FAILED_UNITS).map((u) => boundText(u, MAX_UNIT_NAME));
}

const CHECK_TIMEOUT_MS = 5000;

/**
 * The machine's failed units; undefined when systemctl inside could not answer (busy, shutting down).
 * systemctl inside (systemd refuses its private bus to a peer outside its pid namespace, so this takes a
 * process). It runs straight under nsenter, without the shell that moves a user's commands into the
 * machine's cgroup: a short query of the supervisor's own, on the path of every boot.
 */
export async function listFailedUnits(pid1: number, single: boolean): Promise<string[] | undefined> {
  const r = await execCapture({ pid1, single, cgroupDirs: [] }, LIST_FAILED, CHECK_TIMEOUT_MS);
  return r.code === 0 ? parseFailedUnits(r.stdout) : undefined;
}

/** The root directory a process sees, as device and inode (undefined once it is gone). */
function rootOf(pid: number): string | undefined {
  try {
    const st = fs.statSync(`/proc/${pid}/root`);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * The first check, made ready while the machine boots: nsenter and a shell start then, and wait inside
 * the machine for a line on stdin before the shell execs systemctl. At READY=1 only systemctl runs (8 ms
 * against 20 ms for the whole check with the cgroup-joining shell it had, measured on a Debian 12 machine
 * here), which was most of what a start from the window paid after READY=1. It is made once the console
 * has printed (PID 1 is then the machine's init, in its final root), and used only if its root is PID 1's:
 * otherwise, or if it ended, the check runs the usual way.
 */
export class PreparedCheck implements Disposable {
  private readonly child: ChildProcess;
  private out = '';
  private readonly ended: Promise<number | null>;

  constructor(
    private readonly pid1: number,
    single: boolean,
  ) {
    // nsenter from PATH: where it is missing, the check is unusable and the usual one says why.
    const argv = nsenterArgv({ pid1, single, cgroupDirs: [] }, ['/bin/sh', '-c', `read -r _ || exit 0; exec ${LIST_FAILED.join(' ')}`]);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'], env: guestEnv('dumb') });
    this.child = child;
    child.on('error', () => undefined);
    child.stdin!.on('error', () => undefined);
    // The guest writes this: only what the parser can use is kept.
    child.stdout!.on('data', (d: Buffer) => void (this.out.length < 1024 * 1024 && (this.out += d.toString('utf8'))));
    this.ended = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  }

  /** The failed units, undefined when systemctl could not answer, 'unusable' when the check must run the usual way. */
  async run(): Promise<string[] | undefined | 'unusable'> {
    const child = this.child;
    if (!child.pid || child.exitCode !== null || child.signalCode !== null) return 'unusable';
    const root = rootOf(child.pid);
    if (!root || root !== rootOf(this.pid1)) {
      this.dispose();
      return 'unusable';
    }
    child.stdin!.end('\n');
    const timer = setTimeout(() => this.dispose(), CHECK_TIMEOUT_MS);
    const code = await this.ended;
    clearTimeout(timer);
    return code === 0 ? parseFailedUnits(this.out) : undefined;
  }

  dispose(): void {
    this.child.stdin?.destroy(); // the shell inside reads end of file and exits
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** A launch's first check: prepared once the console has printed, used (or replaced by the usual one) at READY=1. */
export class FirstCheck implements Disposable {
  private prepared?: PreparedCheck;
  private done = false;

  /** Called as the console prints; makes the prepared check once, when PID 1 is known. */
  prepare(pid1: number | undefined, single: boolean): void {
    if (this.prepared || this.done || !pid1) return;
    this.prepared = new PreparedCheck(pid1, single);
  }

  async run(pid1: number, single: boolean): Promise<string[] | undefined> {
    const prepared = this.prepared;
    this.prepared = undefined;
    this.done = true;
    const answer = prepared ? await prepared.run() : 'unusable';
    return answer === 'unusable' ? listFailedUnits(pid1, single) : answer;
  }

  dispose(): void {
    this.done = true;
    this.prepared?.dispose();
  }
}

/**
 * What a check's answer changes: the state and the list, or nothing. The first check after READY=1 always
 * reports (it announces the machine up); later ones only a change. No answer keeps the last list.
 */
export function healthChange(
  answer: string[] | undefined,
  current: { state: MachineState; failedUnits?: string[] },
  first: boolean,
): { state: MachineState; failedUnits: string[] } | undefined {
  const failedUnits = answer ?? current.failedUnits ?? [];
  const state: MachineState = failedUnits.length ? 'degraded' : 'running';
  const changed = state !== current.state || JSON.stringify(failedUnits) !== JSON.stringify(current.failedUnits ?? []);
  return first || changed ? { state, failedUnits } : undefined;
}
