// Freezing a running machine for a consistent copy (clone, snapshot, export): cgroup v2's cgroup.freeze
// stops every process of the machine (its systemd, services and the shells in burrow-exec) where it stands,
// like a power cut that is undone. Only the machine's own cgroups are frozen (computed, never read back
// from state.json unchecked), and a freeze is written down in the work journal first, so a burrow killed
// while a machine is frozen has it thawed by the next command.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXEC_CGROUP, PAYLOAD_CGROUP } from './cgroup-plan';
import { writeCgroupFreeze } from './cgroups';
import { BurrowError } from './errors';
import { cgroupFactsOf, isOwnMachineCgroup } from './own-cgroups';
import { checkName, loadProfile } from './profiles';
import { readRecord, supervisorAlive } from './runtime-state';
import { beginJob, sweepAbandonedJobs } from './work-journal';

/** A freeze that does not take hold in this long is given up (and undone). */
const FREEZE_TIMEOUT_MS = 5000;

/** The cgroup v2 folders whose processes make up the running machine: its payload and its exec leaf. */
export function freezableDirs(machine: string): string[] | undefined {
  const record = readRecord(machine);
  if (!record || !supervisorAlive(record)) return undefined;
  const { machineId } = loadProfile(machine);
  const dir = record.unifiedCgroupDir;
  if (!isOwnMachineCgroup(dir, machine, machineId, cgroupFactsOf(record.supervisorPid))) return undefined;
  return [PAYLOAD_CGROUP, EXEC_CGROUP].map((leaf) => path.join(dir!, leaf)).filter((d) => fs.existsSync(path.join(d, 'cgroup.freeze')));
}

function setFrozen(dirs: string[], frozen: boolean): void {
  for (const dir of dirs) {
    try {
      writeCgroupFreeze(dir, frozen);
    } catch (e) {
      if (frozen) throw e;
    }
  }
}

const isFrozen = (dir: string): boolean => {
  try {
    return /^frozen 1$/m.test(fs.readFileSync(path.join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return true; // gone: nothing left to wait for
  }
};

export function thaw(machine: string): void {
  try {
    checkName(machine);
    setFrozen(freezableDirs(machine) ?? [], false);
  } catch {
    /* stopped or removed meanwhile */
  }
}

/** Undoes what killed clones, snapshots, restores and exports left (see work-journal.ts). */
export const sweepJobs = (): void => sweepAbandonedJobs(thaw);

export function cannotFreeze(machine: string, what: string): BurrowError {
  return new BurrowError(
    'already-running',
    `machine "${machine}" is running, and its processes cannot be frozen here for a consistent ${what} (it has no cgroup v2 folder of its own)`,
    `stop it first: burrow stop ${machine}`,
  );
}

/** Runs `work` with the machine's processes frozen; they are thawed however it ends. */
export async function withFrozen<T>(machine: string, what: string, work: () => Promise<T>): Promise<{ result: T; frozenMs: number }> {
  const dirs = freezableDirs(machine);
  if (!dirs?.length) throw cannotFreeze(machine, what);
  const job = beginJob();
  job.add({ thaw: machine });
  const started = Date.now();
  try {
    setFrozen(dirs, true);
    const deadline = Date.now() + FREEZE_TIMEOUT_MS;
    while (!dirs.every(isFrozen)) {
      if (Date.now() > deadline)
        throw new BurrowError(
          'in-use',
          `machine "${machine}" did not freeze within ${FREEZE_TIMEOUT_MS / 1000} s (a process stuck in the kernel?)`,
          `try again, or stop it first: burrow stop ${machine}`,
        );
      await new Promise((r) => setTimeout(r, 2));
    }
    const result = await work();
    return { result, frozenMs: Date.now() - started };
  } finally {
    setFrozen(dirs, false);
    job.done();
  }
}
