// Which cgroup directories belong to a machine. Burrow kills, removes and joins only these, computed from
// the machine's profile and where the delegated cgroups are; a path read back from state.json or
// plan.json is used only if it is one of them, so a planted file cannot point Burrow at another cgroup.
// The one place that knows the rule (the cgroup layout may change: keep it here).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { machineCgroupName, probeCgroups, type CgroupFacts } from './cgroups';
import { SUPERVISOR_CGROUP } from './machine-cgroup';
import { unitName } from './machine-unit';
import { HOST_LEAF } from './resource-limits';

/**
 * The machine's own cgroup directories: its name under each delegated cgroup of `facts`, which describe
 * the process the machine was started from (its supervisor's cgroups while that lives, else our own).
 */
export function expectedCgroupDirs(machine: string, machineId: string, facts: Pick<CgroupFacts, 'unified' | 'systemd'>): string[] {
  const name = machineCgroupName(machine, machineId);
  return [facts.systemd?.dir, facts.unified?.dir]
    .filter((d): d is string => !!d)
    .map((d) => {
      // As a unit of the user's systemd, the supervisor lives in the `supervisor` leaf of the machine's unit.
      if (path.basename(d) === SUPERVISOR_CGROUP && path.basename(path.dirname(d)) === unitName(machine)) return path.dirname(d);
      // Where limits moved the delegated cgroup's own processes into a leaf, the machines sit beside it.
      return path.join(path.basename(d) === HOST_LEAF ? path.dirname(d) : d, name);
    });
}

export function isOwnMachineCgroup(dir: unknown, machine: string, machineId: string, facts: Pick<CgroupFacts, 'unified' | 'systemd'>): boolean {
  return typeof dir === 'string' && expectedCgroupDirs(machine, machineId, facts).includes(dir);
}

/** The cgroups of a live process of ours (a machine's supervisor), or of this process. */
export function cgroupFactsOf(pid?: number): CgroupFacts {
  const uid = process.getuid?.() ?? 0;
  if (pid !== undefined) {
    try {
      return probeCgroups(uid, `/proc/${pid}/cgroup`);
    } catch {
      /* gone meanwhile: fall back to our own */
    }
  }
  return probeCgroups(uid);
}

/** The machine's cgroup directories that exist as real folders of ours (never a link, never someone else's). */
export function existingMachineCgroups(machine: string, machineId: string, facts: Pick<CgroupFacts, 'unified' | 'systemd'>): string[] {
  const uid = process.getuid?.() ?? 0;
  return expectedCgroupDirs(machine, machineId, facts).filter((dir) => {
    try {
      const st = fs.lstatSync(dir);
      return st.isDirectory() && (uid === 0 || st.uid === uid);
    } catch {
      return false;
    }
  });
}
