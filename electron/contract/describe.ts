// How a machine is said to people: its state, its ports, its limits and its usage, in one wording for
// the CLI, the window and the desktop's notifications. Runtime-free (the types below are erased).
import { formatBytes, formatCpuTime } from './format-units';
import { hasEnded, isLive, isUp, type MachineState, type MachineStatus, type MachineUsage } from './machine-state';
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

/**
 * The limits a machine asks for and, while it runs, whether this host applied them, as one phrase (never
 * "memory 512M" beside a separate "not applied"): `memory 512M`, `memory 512M (not applied: the host …)`.
 */
export function describeLimitsState(requested: Limits, s: Pick<MachineStatus, 'state' | 'limits'>): string {
  const asked = describeLimits(requested);
  if (asked === 'none' || !isLive(s) || !s.limits?.unavailable) return asked;
  return `${asked} (not applied: ${s.limits.unavailable})`;
}

/** `ready in 0.38 s`. */
export const describeBootTime = (ms: number): string => `ready in ${(ms / 1000).toFixed(2)} s`;

/**
 * Why a machine ended, as the supervisor records it (exit-verdict.ts writes these): the routine endings are
 * named here so that front ends can leave out what the state already says ("stopped" needs no "stopped on
 * request").
 */
export const END_MESSAGES = {
  stopped: 'stopped on request',
  killed: 'killed on request',
  halted: 'the machine halted (poweroff or halt inside)',
} as const;

/** The words for each state: a machine that ended cleanly reads "stopped", as one never started does. */
const WORDS: Record<MachineState, string> = {
  stopped: 'stopped',
  starting: 'starting',
  running: 'running',
  degraded: 'degraded',
  stopping: 'stopping',
  exited: 'stopped',
  crashed: 'crashed',
};

/** The state in a word or two (a chip, a table cell): `running`, `degraded (2 failed)`, `stopped`. */
export function stateLabel(s: Pick<MachineStatus, 'state' | 'failedUnits'>): string {
  return s.state === 'degraded' ? `degraded (${s.failedUnits?.length ?? 0} failed)` : WORDS[s.state];
}

/** An exit status worth naming: not the clean ones (0, and 130 after a halt). */
const unusualExit = (s: Pick<MachineStatus, 'exitCode'>) => s.exitCode !== undefined && s.exitCode !== 0 && s.exitCode !== 130;

/** The state with what explains it in a few words (`burrow ls`, `burrow stop`): systemd's boot status, or how it ended. */
export function describeStatus(s: MachineStatus): string {
  if (s.state === 'starting' && s.statusText) return `starting: ${s.statusText}`;
  if (s.state === 'crashed' && s.exitCode !== undefined) return `crashed (exit ${s.exitCode})`;
  if (s.state === 'exited' && s.message === END_MESSAGES.killed) return 'stopped (killed)';
  if (s.state === 'exited' && unusualExit(s)) return `stopped (exit ${s.exitCode})`;
  return stateLabel(s);
}

/**
 * What goes beside the state in the window's header, each part its own phrase (joined with " · ", never
 * glued): systemd's boot status, the boot time, the units that failed (only while the machine is up: an
 * old failure does not follow a machine that stopped), or how it ended when that is news.
 */
export function statusDetails(s: MachineStatus): string[] {
  if (s.state === 'starting') return [s.statusText || 'booting…'];
  if (s.state === 'stopping') return ['shutting down…'];
  if (isUp(s)) {
    const failed = s.state === 'degraded' && s.failedUnits?.length ? [`failed: ${s.failedUnits.join(', ')}`] : [];
    return [...(s.bootMs !== undefined ? [describeBootTime(s.bootMs)] : []), ...failed];
  }
  if (!hasEnded(s) || !s.message || s.message === END_MESSAGES.stopped) return [];
  return [s.message];
}

/** What a change into each state is worth telling someone who is not looking (the others are not news). */
const NEWS: Partial<Record<MachineState, { level: 'info' | 'error'; says: string }>> = {
  running: { level: 'info', says: 'is ready' },
  degraded: { level: 'info', says: 'is up, with failed units' },
  crashed: { level: 'error', says: 'crashed' },
  exited: { level: 'info', says: 'stopped' },
};

/** The notice for a machine that changed state (window notices, desktop notifications), or none. */
export function stateNotice(s: MachineStatus): { level: 'info' | 'error'; title: string; detail?: string } | undefined {
  const news = NEWS[s.state];
  if (!news) return undefined;
  const detail = s.state === 'degraded' ? s.failedUnits?.join(' ') : statusDetails(s).join(' · ');
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
