// Machines as units of the user's systemd, in action: start one (transient, or the enabled unit), see
// whether a unit of that name is ours, enable and disable autostart at login. The unit's definition is in
// machine-unit.ts; the manager is found by user-manager.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MachineProfile } from '../contract/profile';
import { writeFileAtomic } from './atomic-file';
import { BurrowError } from './errors';
import { transientStartArgs, unitFileText, unitName, userUnitDir, UNIT_FILE_MARKER } from './machine-unit';
import { nodeScriptCommand } from './node-runtime';
import { parseShow, runUserTool, type UserManagerFacts } from './user-manager';

export interface UnitStatus {
  load: string;
  active: string;
  sub: string;
  result?: string;
  fragment?: string;
  /** BURROW_MACHINE_ID in the unit's environment: whose machine it runs. */
  machineId?: string;
  mainPid?: number;
}

export async function unitStatus(manager: UserManagerFacts, machine: string): Promise<UnitStatus> {
  const r = await runUserTool(manager.systemctl, [
    'show',
    '--property=LoadState,ActiveState,SubState,Result,FragmentPath,Environment,MainPID',
    unitName(machine),
  ]);
  if (r.code !== 0) throw busError(r.stderr);
  const p = parseShow(r.stdout);
  return {
    load: p.LoadState ?? 'not-found',
    active: p.ActiveState ?? 'inactive',
    sub: p.SubState ?? '',
    result: p.Result || undefined,
    fragment: p.FragmentPath || undefined,
    machineId: /(?:^|\s)"?BURROW_MACHINE_ID=([0-9a-f]{32})/.exec(p.Environment ?? '')?.[1],
    mainPid: Number(p.MainPID) || undefined,
  };
}

const busError = (stderr: string): BurrowError =>
  new BurrowError(
    'host-not-ready',
    `your systemd user manager does not answer: ${stderr.trim().split('\n')[0] || 'no reply'}`,
    'check it with: systemctl --user status (or set BURROW_USER_UNITS=0 to run machines without it)',
  );

let unitDirCache: { key: string; dir: string } | undefined;

/** The folder for the user's own unit files, as the manager reads it (cached per process). */
export async function unitFileDir(manager: UserManagerFacts): Promise<string> {
  if (unitDirCache?.key === manager.cgroupDir) return unitDirCache.dir;
  const r = await runUserTool(manager.systemctl, ['show', '--property=UnitPath']);
  const dir = userUnitDir(r.code === 0 ? parseShow(r.stdout).UnitPath : undefined);
  unitDirCache = { key: manager.cgroupDir, dir };
  return dir;
}

/** The unit file `burrow enable` wrote for this machine, if there is one. */
export function enabledUnitFile(dir: string, profile: Pick<MachineProfile, 'name' | 'machineId'>): string | undefined {
  const file = path.join(dir, unitName(profile.name));
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.startsWith(UNIT_FILE_MARKER) && text.includes(`BURROW_MACHINE_ID=${profile.machineId}`) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a unit name that belongs to someone else: a unit of the user's own, or a machine of the same
 * name from another Burrow configuration that is running now.
 */
export function assertUnitIsOurs(status: UnitStatus, profile: MachineProfile, ourFile?: string): void {
  const unit = unitName(profile.name);
  if (status.load === 'masked')
    throw new BurrowError(
      'exists',
      `the unit ${unit} is masked in your systemd user manager`,
      `unmask it (systemctl --user unmask ${unit}), or give the machine another name`,
    );
  if (status.load === 'not-found') return;
  if (status.fragment && status.fragment !== ourFile && !status.fragment.includes('/transient/')) {
    throw new BurrowError(
      'exists',
      `a unit named ${unit} that Burrow did not write exists (${status.fragment})`,
      `rename or remove that unit, or give the machine another name`,
    );
  }
  const busy = !['inactive', 'failed'].includes(status.active);
  if (busy && status.machineId !== profile.machineId) {
    throw new BurrowError(
      'exists',
      `${unit} runs another machine named "${profile.name}" (from another Burrow configuration)`,
      `stop it there, or give this machine another name`,
    );
  }
}

/** Starts the machine's unit and returns at once; the caller waits for the supervisor's control socket. */
export async function startUnit(manager: UserManagerFacts, profile: MachineProfile): Promise<void> {
  const dir = await unitFileDir(manager);
  const ourFile = enabledUnitFile(dir, profile);
  let status = await unitStatus(manager, profile.name);
  // Just stopped: the unit may still be winding down for a moment before systemd lets it go.
  for (let i = 0; i < 50 && ['deactivating', 'activating'].includes(status.active) && status.machineId === profile.machineId; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = await unitStatus(manager, profile.name);
  }
  assertUnitIsOurs(status, profile, ourFile);
  if (status.active === 'failed') await runUserTool(manager.systemctl, ['reset-failed', unitName(profile.name)]);
  const r = ourFile
    ? await runUserTool(manager.systemctl, ['start', '--no-block', unitName(profile.name)])
    : await runUserTool(manager.systemdRun, transientStartArgs(profile, nodeScriptCommand(path.join(__dirname, 'supervisor.js'), [profile.name])));
  if (r.code !== 0)
    throw new BurrowError(
      'start-failed',
      `systemd could not start ${unitName(profile.name)}: ${r.stderr.trim().split('\n')[0]}`,
      `see: journalctl --user -u ${unitName(profile.name)}`,
    );
}

/** The unit's last journal lines, for a start that failed before the supervisor could say why. */
export async function unitJournalTail(machine: string, lines = 8): Promise<string> {
  const r = await runUserTool('journalctl', ['--unit', unitName(machine), '--lines', String(lines), '--output', 'cat', '--no-pager'], 5000);
  return r.code === 0 ? r.stdout.trim() : '';
}

/** Writes (or rewrites) the unit file of an enabled machine and tells the manager; nothing is left half-done. */
export async function writeUnitFile(manager: UserManagerFacts, profile: MachineProfile): Promise<string> {
  const dir = await unitFileDir(manager);
  const file = path.join(dir, unitName(profile.name));
  if (fs.existsSync(file) && !enabledUnitFile(dir, profile)) {
    throw new BurrowError(
      'exists',
      `${file} exists and was not written by burrow enable for this machine`,
      'rename or remove that unit, or give the machine another name',
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(file, unitFileText(profile, nodeScriptCommand(path.join(__dirname, 'cli.js'), ['unit-run', profile.name])), 0o644);
  const reload = await runUserTool(manager.systemctl, ['daemon-reload']);
  if (reload.code !== 0) {
    fs.rmSync(file, { force: true });
    throw busError(reload.stderr);
  }
  return file;
}

export async function enableUnit(manager: UserManagerFacts, profile: MachineProfile): Promise<string> {
  const file = await writeUnitFile(manager, profile);
  const r = await runUserTool(manager.systemctl, ['enable', '--quiet', unitName(profile.name)]);
  if (r.code !== 0) {
    fs.rmSync(file, { force: true });
    await runUserTool(manager.systemctl, ['daemon-reload']);
    throw new BurrowError(
      'internal',
      `systemctl --user enable ${unitName(profile.name)} failed: ${r.stderr.trim().split('\n')[0]}`,
      'nothing was kept; see: systemctl --user status',
    );
  }
  return file;
}

/** Removes the unit file (and its link from default.target); returns false when the machine was not enabled. */
export async function disableUnit(manager: UserManagerFacts, profile: MachineProfile): Promise<boolean> {
  const dir = await unitFileDir(manager);
  const file = enabledUnitFile(dir, profile);
  if (!file) return false;
  await runUserTool(manager.systemctl, ['disable', '--quiet', unitName(profile.name)]);
  fs.rmSync(file, { force: true });
  await runUserTool(manager.systemctl, ['daemon-reload']);
  return true;
}
