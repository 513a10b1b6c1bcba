// Machines that start at login: `burrow enable` writes the machine's unit file for the user's systemd
// (WantedBy=default.target), `burrow disable` removes it. Where linger is on, "login" includes boot.
import { isLive, type MachineStatus } from '../contract/machine-state';
import type { MachineProfile } from '../contract/profile';
import { BurrowError } from './errors';
import { probeHost } from './host-probe';
import { unitName } from './machine-unit';
import { planMachine, startMachine, stopMachine } from './machines';
import { loadProfile } from './profiles';
import { statusOf } from './runtime-state';
import type { UserManagerFacts } from './user-manager';
import { disableUnit, enableUnit, enabledUnitFile, unitFileDir } from './user-units';

function userManager(action: string): UserManagerFacts {
  const probe = probeHost().userManager;
  if (probe?.facts) return probe.facts;
  throw new BurrowError(
    'host-not-ready',
    `${action} needs a systemd user manager, and ${probe?.absent ?? 'there is none here'}`,
    'log in through a systemd session (every systemd desktop runs one per user), then try again; see: burrow doctor',
  );
}

export interface EnableOutcome {
  unit: string;
  file: string;
  /** What the user should know: when it will start, linger. */
  notes: string[];
  started?: MachineStatus;
}

/** Checks the machine like a start would (so an unusable one is refused before anything is written), then enables it. */
export async function enableMachine(name: string, opts: { now?: boolean } = {}): Promise<EnableOutcome> {
  const profile = loadProfile(name);
  const manager = userManager('starting a machine at login');
  planMachine(profile, { supervised: true });
  const file = await enableUnit(manager, profile);
  const notes = manager.linger
    ? ['linger is on: it also starts at boot, before you log in, and keeps running after you log out']
    : [`it starts when you log in and stops (cleanly) when you log out; to start it at boot and keep it running: loginctl enable-linger`];
  const live = isLive(statusOf(name));
  const started = opts.now && !live ? await startMachine(name) : undefined;
  return { unit: unitName(name), file, notes, started };
}

export async function disableMachine(name: string, opts: { now?: boolean } = {}): Promise<{ wasEnabled: boolean; stopped?: MachineStatus }> {
  const profile = loadProfile(name);
  const manager = userManager('disabling autostart');
  const wasEnabled = await disableUnit(manager, profile);
  const stopped = opts.now && isLive(statusOf(name)) ? await stopMachine(name) : undefined;
  return { wasEnabled, stopped };
}

/** Whether each machine starts at login (false everywhere without a user manager). */
export async function autostartStates(profiles: MachineProfile[]): Promise<Map<string, boolean>> {
  const manager = probeHost().userManager?.facts;
  const dir = manager && (await unitFileDir(manager));
  return new Map(profiles.map((p) => [p.name, !!dir && !!enabledUnitFile(dir, p)]));
}
