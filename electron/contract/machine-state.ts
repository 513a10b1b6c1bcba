// Machine states and the status record every front end shows.

export const MACHINE_STATES = ['stopped', 'starting', 'running', 'degraded', 'stopping', 'exited', 'crashed'] as const;
export type MachineState = (typeof MACHINE_STATES)[number];

export const LIVE_STATES: readonly MachineState[] = ['starting', 'running', 'degraded', 'stopping'];

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
