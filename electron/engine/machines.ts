// The machine service: create, edit, plan, list, start, stop, restart, reset and remove, with the rules
// each one keeps (a name is taken once, a live machine is not reset or removed, an edit reaches a running
// machine at its next start). The CLI, the Electron main process and the web host all go through here.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLive, type MachineStatus } from '../contract/machine-state';
import type { MachineProfile } from '../contract/profile';
import { defaultProfile } from '../contract/profile-defaults';
import { changedFields, restartNeeded } from '../contract/profile-edit';
import { BurrowError } from './errors';
import { probeHost } from './host-probe';
import type { LaunchPlan } from './launch-plan';
import { clearStale, startMachine, stopMachine } from './machine-start';
import { planMachine } from './machine-plan';
import { discardOverlay, persistentOverlayDir } from './overlay';
import { sweepJobs } from './freeze';
import { resetToImage } from './snapshot-store';
import { cgroupFactsOf, isOwnMachineCgroup } from './own-cgroups';
import { createProfile, exists, listProfiles, loadProfile, removeProfile, saveProfile, validateProfile, type BrokenProfile } from './profiles';
import { readConsoleLog } from './console-log';
import { readUsage, type Usage } from './resource-limits';
import { readRecord, runtimeFiles, statusOf } from './runtime-state';
import { disableUnit, enabledUnitFile, unitFileDir, writeUnitFile } from './user-units';
import { forgetHostKeys } from './ssh';

export { planMachine, type PlanResult } from './machine-plan';
export { claimStart, prepareStart, startMachine, stopMachine, type StartOptions } from './machine-start';

export const newMachineId = (): string => randomBytes(16).toString('hex');

/**
 * Creates a machine: the profile is checked (and its rootfs validated) before anything is written.
 * `customize` turns the default profile for NAME and ROOTFS into the one wanted (the CLI's options, or
 * the window's whole draft).
 */
export function createMachine(
  name: string,
  rootfs: string,
  customize: (p: MachineProfile) => MachineProfile = (p) => p,
): { profile: MachineProfile; plan: LaunchPlan } {
  if (exists(name)) {
    throw new BurrowError('exists', `a machine named "${name}" already exists`, `choose another name, or remove it first with: burrow rm ${name}`);
  }
  const given = validateProfile(customize(defaultProfile({ name, rootfs: path.resolve(rootfs), machineId: newMachineId() })));
  if (given.name !== name) throw new BurrowError('invalid-input', `the profile names machine "${given.name}", not "${name}"`);
  const { plan, profile } = planMachine(given);
  createProfile(profile);
  return { profile, plan };
}

export interface EditOutcome {
  profile: MachineProfile;
  plan: LaunchPlan;
  /** The settings that changed (top-level profile fields). */
  changed: (keyof MachineProfile)[];
  /** The machine is live and something changed: it sees the change at its next start. */
  restartNeeded: boolean;
}

/**
 * Changes a machine's profile: checked like a new one, written atomically. The unit file of a machine
 * that starts at login is rewritten to match.
 */
export async function editMachine(name: string, change: (p: MachineProfile) => MachineProfile): Promise<EditOutcome> {
  const before = loadProfile(name);
  const changed = validateProfile(change(before));
  if (changed.name !== name)
    throw new BurrowError('invalid-input', 'a machine cannot be renamed by editing it', 'create a new machine from the same rootfs instead');
  const { plan, host, profile } = planMachine(changed, { before });
  const manager = host.userManager?.facts;
  const enabled = manager && enabledUnitFile(await unitFileDir(manager), before);
  saveProfile(profile);
  if (manager && enabled) await writeUnitFile(manager, profile);
  const fields = changedFields(before, profile);
  return { profile, plan, changed: fields, restartNeeded: restartNeeded(fields, statusOf(name).state) };
}

/** Stops a live machine (cleanly), then starts it again. */
export async function restartMachine(name: string, opts: Parameters<typeof startMachine>[1] = {}): Promise<MachineStatus> {
  if (isLive(statusOf(name))) await stopMachine(name, 'stop');
  return startMachine(name, opts);
}

/** Live resource usage of a running machine (undefined when it is not running). */
export function machineUsage(name: string): Usage | undefined {
  const record = readRecord(name);
  if (!record || !isLive(statusOf(name))) return undefined;
  // Only the machine's own cgroups are read, whatever the record names.
  const { machineId } = loadProfile(name);
  const facts = cgroupFactsOf(record.supervisorPid);
  const own = (dir: string | undefined) => (isOwnMachineCgroup(dir, name, machineId, facts) ? dir : undefined);
  const dirs = (record.cgroupDirs ?? []).filter((d) => own(d));
  if (!dirs.length) return undefined;
  return readUsage(own(record.unifiedCgroupDir), dirs[0]);
}

export interface MachineSummary {
  profile: MachineProfile;
  status: MachineStatus;
}

export function listMachines(): { machines: MachineSummary[]; broken: BrokenProfile[] } {
  // What a killed clone, snapshot or export left goes first (cheap when nothing was left).
  sweepJobs();
  const { profiles, broken } = listProfiles();
  return { machines: profiles.map((profile) => ({ profile, status: statusOf(profile.name) })), broken };
}

/**
 * The settings a live machine's launch started with (recorded with its plan), or undefined where the
 * machine is not live or its launch recorded none (started by an older Burrow).
 */
export function appliedProfile(name: string, status: MachineStatus = statusOf(name)): MachineProfile | undefined {
  if (!isLive(status)) return undefined;
  try {
    const { profile } = JSON.parse(fs.readFileSync(runtimeFiles(name).plan, 'utf8')) as { profile?: unknown };
    return profile === undefined ? undefined : validateProfile(profile, `the running launch's settings of ${name}`);
  } catch {
    return undefined;
  }
}

/** The last lines the console printed (kept after the machine ended). */
export function consoleTail(name: string, lines = 15): string {
  try {
    const text = readConsoleLog(runtimeFiles(name).consoleTail, 64 * 1024).toString('utf8');
    return text.split(/\r?\n/).slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function refuseLive(name: string): void {
  const status = statusOf(name);
  if (isLive(status)) throw new BurrowError('already-running', `machine "${name}" is ${status.state}`, `stop it first: burrow stop ${name}`);
}

export async function removeMachine(name: string): Promise<void> {
  const profile = loadProfileOrBroken(name);
  refuseLive(name);
  const manager = profile && probeHost().userManager?.facts;
  if (manager && profile) await disableUnit(manager, profile);
  removeProfile(name);
  if (profile) forgetHostKeys(profile.machineId);
  clearStale(name, profile?.machineId);
  discardOverlay(persistentOverlayDir(name));
}

/** Throws away what a machine changed on top of its image (persistent storage); the image is untouched. */
export function resetMachine(name: string): { discarded: boolean } {
  const profile = loadProfile(name);
  refuseLive(name);
  if (profile.storage !== 'persistent') {
    const where = profile.storage === 'direct' ? 'straight into its rootfs' : 'into a throw-away overlay';
    const fix = profile.storage === 'direct' ? `to keep an image pristine, use an overlay: burrow edit ${name} --persistent` : undefined;
    throw new BurrowError('invalid-input', `machine "${name}" writes ${where}: there is nothing to reset`, fix);
  }
  // Snapshots are kept: a reset discards only what changed since the image (or the last restore).
  const result = resetToImage(name);
  // Host keys made after the image (installing openssh-server inside) went with the changes.
  forgetHostKeys(profile.machineId);
  return result;
}

/** rm must work on a corrupt profile too: that is how a user gets rid of one. */
function loadProfileOrBroken(name: string): MachineProfile | undefined {
  try {
    return loadProfile(name);
  } catch (e) {
    if (e instanceof BurrowError && e.code === 'corrupt-profile') return undefined;
    throw e;
  }
}
