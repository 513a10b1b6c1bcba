// Runtime state of machines under $XDG_RUNTIME_DIR/burrow/NAME/: the supervisor's state.json, its control
// socket, the readiness folder, the console tail. Also decides whether a recorded supervisor still lives.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LIVE_STATES, type MachineStatus } from '../contract/machine-state';
import { writeJsonAtomic } from './atomic-file';
import { BurrowError } from './errors';
import { machineRuntimeDir, runtimeRoot } from './paths';

export interface RuntimeRecord extends MachineStatus {
  supervisorStartTime?: number;
  /** The bwrap process on the console pty (the launch shell execs into it). */
  bwrapPid?: number;
  cgroupDirs?: string[];
  /** pasta or slirp4netns; killed if a supervisor died without stopping it. */
  networkHelperPid?: number;
  networkHelperStartTime?: number;
  /** The machine's cgroup v2 directory, where limits and usage live. */
  unifiedCgroupDir?: string;
}

/** What a record says to front ends: the status without the supervisor's bookkeeping. */
export function publicStatus(record: RuntimeRecord): MachineStatus {
  const { supervisorStartTime: _s, bwrapPid: _b, cgroupDirs: _c, networkHelperPid: _n, networkHelperStartTime: _t, unifiedCgroupDir: _u, ...status } = record;
  return status;
}

export const runtimeFiles = (name: string) => {
  const dir = machineRuntimeDir(name);
  return {
    dir,
    state: path.join(dir, 'state.json'),
    plan: path.join(dir, 'plan.json'),
    control: path.join(dir, 'control.sock'),
    info: path.join(dir, 'bwrap-info.json'),
    consoleTail: path.join(dir, 'console.log'),
    log: path.join(dir, 'supervisor.log'),
    hostDir: path.join(dir, 'host'),
  };
};

/** Creates the per-user runtime root, refusing one that another user owns or others can write. */
export function ensureRuntimeRoot(): string {
  const root = runtimeRoot();
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(root);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) {
    throw new BurrowError('host-not-ready', `the runtime folder ${root} is not a private folder of yours`, `remove it, or set XDG_RUNTIME_DIR to a folder only you can write`);
  }
  return root;
}

export function readRecord(name: string): RuntimeRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(runtimeFiles(name).state, 'utf8')) as RuntimeRecord;
  } catch {
    return undefined;
  }
}

export function writeRecord(record: RuntimeRecord): void {
  writeJsonAtomic(runtimeFiles(record.name).state, record, 0o600);
}

/**
 * Field 22 of /proc/PID/stat: start time in clock ticks, which guards against a recycled pid. Undefined
 * for a process that is gone, or has exited and waits to be reaped (a zombie is not alive).
 */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

export function supervisorAlive(record: RuntimeRecord): boolean {
  if (!record.supervisorPid) return false;
  const start = processStartTime(record.supervisorPid);
  return start !== undefined && (record.supervisorStartTime === undefined || start === record.supervisorStartTime);
}

/** The truth about a machine, whoever asks: a live state whose supervisor is gone reads as crashed. */
export function statusOf(name: string): MachineStatus {
  const record = readRecord(name);
  if (!record) return { name, state: 'stopped' };
  const status = publicStatus(record);
  if (LIVE_STATES.includes(record.state) && !supervisorAlive(record)) {
    return { ...status, state: 'crashed', message: 'its supervisor is gone (killed, or the host restarted); start it again' };
  }
  return status;
}
