// Machine states and the status record every front end shows.

export const MACHINE_STATES = ['stopped', 'starting', 'running', 'degraded', 'stopping', 'exited', 'crashed'] as const;
export type MachineState = (typeof MACHINE_STATES)[number];

/**
 * What each state means, in one table, so a new state cannot be added without deciding each:
 * - live: a supervisor owns the machine (it cannot be started, edited without a restart, reset or removed);
 * - up: systemd reported READY=1 (the machine is usable; its ports answer);
 * - enterable: PID 1 runs and is not shutting down (shells, journal and unit queries can enter it);
 * - settled: a start has its outcome (up, or ended), so `start` can return.
 */
const TRAITS: Record<MachineState, { live: boolean; up: boolean; enterable: boolean; settled: boolean }> = {
  stopped: { live: false, up: false, enterable: false, settled: false },
  starting: { live: true, up: false, enterable: true, settled: false },
  running: { live: true, up: true, enterable: true, settled: true },
  degraded: { live: true, up: true, enterable: true, settled: true },
  stopping: { live: true, up: false, enterable: false, settled: false },
  exited: { live: false, up: false, enterable: false, settled: true },
  crashed: { live: false, up: false, enterable: false, settled: true },
};

type StateOf = MachineState | { state: MachineState };
const traits = (s: StateOf) => TRAITS[typeof s === 'string' ? s : s.state];

/** A supervisor owns the machine: starting, running, degraded or stopping. */
export const isLive = (s: StateOf): boolean => traits(s).live;
/** Booted: running or degraded. */
export const isUp = (s: StateOf): boolean => traits(s).up;
/** PID 1 runs and is not shutting down: commands can enter it. */
export const isEnterable = (s: StateOf): boolean => traits(s).enterable;
/** A start has its outcome: up, exited or crashed. */
export const isSettled = (s: StateOf): boolean => traits(s).settled;
/** It ran and ended (exited or crashed): its message says how. */
export const hasEnded = (s: StateOf): boolean => traits(s).settled && !traits(s).live;

export const LIVE_STATES: readonly MachineState[] = MACHINE_STATES.filter(isLive);

export interface MachineStatus {
  name: string;
  state: MachineState;
  /** systemd's last STATUS= message while booting ("Ready." once up). */
  statusText?: string;
  /** Host pid of the machine's PID 1 (systemd), once known. */
  pid1?: number;
  supervisorPid?: number;
  startedAt?: string;
  readyAt?: string;
  /** Milliseconds from launch to READY=1. */
  bootMs?: number;
  failedUnits?: string[];
  exitCode?: number;
  /** Resource limits written to the machine's cgroup at start, or why they could not be. */
  limits?: { applied: string[]; unavailable?: string };
  /** A sentence for people: why it crashed, how it exited. */
  message?: string;
  /** When the machine ended (exited or crashed), as its supervisor saw it. */
  endedAt?: string;
  /** The unit of the user's systemd it runs as (burrow-NAME.service), where there is a user manager. */
  unit?: string;
  /** The user network it is on while it runs, and its address there (other machines reach it by name). */
  userNetwork?: { name: string; address: string };
}

/** Live resource usage of a machine: from its cgroup, or summed from its processes where no controller is delegated. */
export interface MachineUsage {
  /** cgroup: the kernel's own accounting; processes: summed from /proc (RSS double-counts shared pages). */
  source: 'cgroup' | 'processes';
  memoryBytes?: number;
  memoryMaxBytes?: number;
  /** Tasks (processes and threads) in the machine. */
  pids?: number;
  pidsMax?: number;
  /** CPU time used since the machine started, in microseconds. */
  cpuUsec?: number;
  cpuMax?: number;
}
