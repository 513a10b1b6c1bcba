// Runtime state of machines under $XDG_RUNTIME_DIR/burrow/NAME/: the supervisor's state.json, its control
// socket, the readiness folder, the console tail. Also decides whether a recorded supervisor still lives.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLive, MACHINE_STATES, type MachineStatus } from '../contract/machine-state';
import { writeJsonAtomic } from './atomic-file';
import { machineRuntimeDir } from './paths';
import { existingRuntimeRoot } from './runtime-root';

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

/** The machine's runtime files. The runtime folder is checked first: one not to be trusted throws. */
export const runtimeFiles = (name: string) => {
  existingRuntimeRoot();
  const dir = machineRuntimeDir(name);
  return {
    dir,
    state: path.join(dir, 'state.json'),
    plan: path.join(dir, 'plan.json'),
    control: path.join(dir, 'control.sock'),
    /** A FIFO: bwrap's --info-fd, read by the supervisor (bwrap-info.ts). */
    info: path.join(dir, 'bwrap-info.fifo'),
    consoleTail: path.join(dir, 'console.log'),
    log: path.join(dir, 'supervisor.log'),
    hostDir: path.join(dir, 'host'),
  };
};

export function readRecord(name: string): RuntimeRecord | undefined {
  if (!existingRuntimeRoot()) return undefined;
  try {
    return parseRecord(fs.readFileSync(runtimeFiles(name).state, 'utf8'), name);
  } catch {
    return undefined;
  }
}

const isPid = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isText = (v: unknown): boolean => typeof v === 'string' && v.length <= 64 * 1024;
const isTextList = (v: unknown): boolean => Array.isArray(v) && v.length <= 10_000 && v.every(isText);

/** What each field of state.json must be; a record with anything else is not used at all. */
const FIELDS: Record<keyof RuntimeRecord, (v: unknown) => boolean> = {
  name: isText,
  state: (v) => MACHINE_STATES.includes(v as never),
  statusText: isText,
  pid1: isPid,
  supervisorPid: isPid,
  supervisorStartTime: isCount,
  startedAt: isText,
  readyAt: isText,
  bootMs: isCount,
  failedUnits: isTextList,
  exitCode: Number.isSafeInteger,
  limits: (v) => {
    const l = v as { applied?: unknown; unavailable?: unknown } | null;
    return typeof l === 'object' && l !== null && isTextList(l.applied) && (l.unavailable === undefined || isText(l.unavailable));
  },
  message: isText,
  endedAt: isText,
  bwrapPid: isPid,
  cgroupDirs: isTextList,
  networkHelperPid: isPid,
  networkHelperStartTime: isCount,
  unifiedCgroupDir: isText,
  userNetwork: (v) => {
    const n = v as { name?: unknown; address?: unknown } | null;
    return typeof n === 'object' && n !== null && isText(n.name) && isText(n.address);
  },
  unit: (v) => typeof v === 'string' && /^burrow-[a-z0-9][a-z0-9_-]{0,62}\.service$/.test(v),
};

/** state.json as the supervisor of machine `name` writes it, or undefined for anything else. */
export function parseRecord(text: string, name: string): RuntimeRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (record.name !== name || !FIELDS.state(record.state)) return undefined;
  for (const [key, v] of Object.entries(record)) {
    const valid = FIELDS[key as keyof RuntimeRecord];
    if (!valid || (v !== undefined && v !== null && !valid(v))) return undefined;
  }
  return record as unknown as RuntimeRecord;
}

/** Atomic, not durable: a runtime record means nothing after the host restarts (statusOf then reads its supervisor gone). */
export function writeRecord(record: RuntimeRecord): void {
  writeJsonAtomic(runtimeFiles(record.name).state, record, 0o600, false);
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

/** The real uid a process runs as (from /proc/PID/status), undefined when it is gone. */
export function processUid(pid: number): number | undefined {
  try {
    const uid = /^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return uid === undefined ? undefined : Number(uid);
  } catch {
    return undefined;
  }
}

/** A live process of ours that started at `startTime` (not a recycled pid, not another user's). */
export function sameProcessOfOurs(pid: number, startTime: number | undefined): boolean {
  const start = processStartTime(pid);
  return start !== undefined && (startTime === undefined || start === startTime) && processUid(pid) === (process.getuid?.() ?? 0);
}

export function supervisorAlive(record: RuntimeRecord): boolean {
  return !!record.supervisorPid && sameProcessOfOurs(record.supervisorPid, record.supervisorStartTime);
}

/** The network helper a record names, if that pid is still that helper: ours, same start, pasta or slirp4netns. */
export function isOurNetworkHelper(pid: number, startTime: number | undefined): boolean {
  if (startTime === undefined || !sameProcessOfOurs(pid, startTime)) return false;
  try {
    return /^(pasta|passt)(\.avx2)?$|^slirp4netns$/.test(fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
  } catch {
    return false;
  }
}

/** The truth about a machine, whoever asks: a live state whose supervisor is gone reads as crashed. */
export function statusOf(name: string): MachineStatus {
  const record = readRecord(name);
  if (!record) return { name, state: 'stopped' };
  const status = publicStatus(record);
  if (isLive(record.state) && !supervisorAlive(record)) {
    return { ...status, state: 'crashed', message: 'its supervisor is gone (killed, or the host restarted); start it again' };
  }
  return status;
}
