// running vs degraded: does systemd inside report failed units? Asked once READY=1 arrives, then every
// 10 s while the machine is up. The guest writes the answer, so it is bounded before it is kept.
import type { MachineState } from '../contract/machine-state';
import { execCapture } from '../engine/exec';
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
