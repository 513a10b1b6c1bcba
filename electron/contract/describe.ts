// How a machine is said to people: its state, its ports, its limits and its usage, in one wording for
// the CLI, the window and the desktop's notifications. Runtime-free (the types below are erased).
import { formatBytes, formatCpuTime } from './format-units';
import { hasEnded, type MachineState, type MachineStatus, type MachineUsage } from './machine-state';
import type { Limits, PortForward } from './profile';

/** The address a forward listens on: loopback (the default) or every interface. */
export const portHostAddress = (p: Pick<PortForward, 'address'>): string => (p.address === 'all' ? '0.0.0.0' : '127.0.0.1');

/** `127.0.0.1:8080 → 80/tcp`. */
export const describePort = (p: PortForward): string => `${portHostAddress(p)}:${p.host} → ${p.guest}/${p.protocol}`;

/** Where a browser on this computer reaches a forwarded TCP port (0.0.0.0 listens on loopback too). */
export const portUrl = (p: Pick<PortForward, 'host'>): string => `http://127.0.0.1:${p.host}/`;

/** `memory 512M, pids 512, cpus 1.5`, or `none`. */
export const describeLimits = (l: Limits): string =>
  [l.memory && `memory ${l.memory}`, l.pids && `pids ${l.pids}`, l.cpus && `cpus ${l.cpus}`].filter(Boolean).join(', ') || 'none';

/** `ready in 0.38 s`. */
export const describeBootTime = (ms: number): string => `ready in ${(ms / 1000).toFixed(2)} s`;

/** The state in a word or two (a chip, a table cell): `running`, `degraded (2 failed)`. */
export function stateLabel(s: Pick<MachineStatus, 'state' | 'failedUnits'>): string {
  return s.state === 'degraded' ? `degraded (${s.failedUnits?.length ?? 0} failed)` : s.state;
}

/** The state with what explains it: systemd's boot status, or how it ended. */
export function describeStatus(s: MachineStatus): string {
  if (s.state === 'starting' && s.statusText) return `starting: ${s.statusText}`;
  if (s.state === 'crashed' && s.exitCode !== undefined) return `crashed (exit ${s.exitCode})`;
  if (s.state === 'exited' && s.exitCode !== undefined) return `exited (${s.exitCode === 130 ? 'halted' : `exit ${s.exitCode}`})`;
  return stateLabel(s);
}

/** What a change into each state is worth telling someone who is not looking (the others are not news). */
const NEWS: Partial<Record<MachineState, { level: 'info' | 'error'; says: string }>> = {
  running: { level: 'info', says: 'is ready' },
  degraded: { level: 'info', says: 'is up, with failed units' },
  crashed: { level: 'error', says: 'crashed' },
  exited: { level: 'info', says: 'exited' },
};

/** The notice for a machine that changed state (window notices, desktop notifications), or none. */
export function stateNotice(s: MachineStatus): { level: 'info' | 'error'; title: string; detail?: string } | undefined {
  const news = NEWS[s.state];
  if (!news) return undefined;
  const detail = s.state === 'degraded' ? s.failedUnits?.join(' ') : hasEnded(s) ? s.message : undefined;
  return { level: news.level, title: `${s.name} ${news.says}`, detail: detail || undefined };
}

/** Where usage figures come from when no controller is delegated, and what that costs. */
export const APPROXIMATE_USAGE = 'summed from its processes: no controllers delegated, shared memory counted more than once';

/**
 * Live usage as phrases: `memory 40 MiB of 64 MiB`, `tasks 12 of 128`, `cpu time 1.2 s (quota 0.5 CPUs)`;
 * with `cpuPercent` (the window measures it between two readings) `cpu 12 %` instead of the time.
 */
export function usageParts(u: MachineUsage, cpuPercent?: number): string[] {
  const of = (v: number | undefined, fmt: (n: number) => string) => (v !== undefined ? ` of ${fmt(v)}` : '');
  const cpu = cpuPercent !== undefined ? `cpu ${cpuPercent.toFixed(0)} %` : u.cpuUsec !== undefined ? `cpu time ${formatCpuTime(u.cpuUsec)}` : undefined;
  return [
    u.memoryBytes !== undefined ? `memory ${formatBytes(u.memoryBytes)}${of(u.memoryMaxBytes, formatBytes)}` : undefined,
    u.pids !== undefined ? `tasks ${u.pids}${of(u.pidsMax, String)}` : undefined,
    cpu && `${cpu}${u.cpuMax !== undefined ? ` (quota ${u.cpuMax} CPUs)` : ''}`,
  ].filter((p): p is string => !!p);
}
