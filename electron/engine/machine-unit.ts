// A machine as a unit of the user's systemd: `burrow-NAME.service`, a service whose main process is the
// machine's supervisor. A service rather than a scope: systemd starts it itself (nothing of the machine
// stays in the terminal's or the window's scope), `systemctl --user stop` reaches the supervisor as
// SIGTERM (a clean halt), its journal is the machine's, and the same definition serves the unit file that
// `burrow enable` writes (Type=notify: `systemctl --user start` returns once the machine is ready).
// One pure description of the unit, used for transient starts (systemd-run -p) and for unit files.
import * as os from 'node:os';
import * as path from 'node:path';
import type { MachineProfile } from '../contract/profile';
import { configDir, dataDir } from './paths';
import { limitWrites } from './resource-limits';
import type { NodeCommand } from './node-runtime';
import type { UserManagerFacts } from './user-manager';

export const UNIT_SLICE = 'app.slice';
/** Seconds systemd waits beyond the machine's own stop timeout before it kills what is left. */
const STOP_MARGIN_SEC = 15;
const START_TIMEOUT_SEC = 300;

export const unitName = (machine: string): string => `burrow-${machine}.service`;

/** Where systemd puts the unit's cgroup: the slice under the manager's own cgroup. */
export const unitCgroupDir = (manager: Pick<UserManagerFacts, 'cgroupDir'>, machine: string): string =>
  path.join(manager.cgroupDir, UNIT_SLICE, unitName(machine));

/** The limits as systemd's resource-control settings (systemd.resource-control(5)). */
export function limitProperties(limits: MachineProfile['limits']): [string, string][] {
  const props: [string, string][] = [];
  for (const w of limitWrites(limits)) {
    if (w.file === 'memory.max') props.push(['MemoryMax', w.value]);
    else if (w.file === 'memory.swap.max') props.push(['MemorySwapMax', w.value]);
    else if (w.file === 'pids.max') props.push(['TasksMax', w.value]);
  }
  if (limits.cpus) props.push(['CPUQuota', `${(limits.cpus * 100).toFixed(2)}%`]);
  return props;
}

export function unitProperties(profile: MachineProfile): [string, string][] {
  return [
    ['Type', 'notify'],
    ['NotifyAccess', 'main'],
    ['Delegate', 'yes'],
    // SIGTERM to the supervisor alone (it halts the machine), SIGKILL to everything left after the timeout.
    ['KillMode', 'mixed'],
    ['TimeoutStartSec', String(START_TIMEOUT_SEC)],
    ['TimeoutStopSec', String(profile.stopTimeoutSec + STOP_MARGIN_SEC)],
    ['Slice', UNIT_SLICE],
    ...limitProperties(profile.limits),
  ];
}

/** The environment the supervisor needs: which configuration the machine belongs to, and the runtime. */
export function unitEnvironment(profile: MachineProfile, command: NodeCommand, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {
    BURROW_UNIT: unitName(profile.name),
    BURROW_MACHINE_ID: profile.machineId,
    XDG_CONFIG_HOME: path.dirname(configDir()),
    XDG_DATA_HOME: path.dirname(dataDir()),
    PATH: env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: env.LANG ?? 'C.UTF-8',
    ...command.env,
  };
  // The caller's runtime folder, not necessarily the manager's own (a test sandbox, a second configuration);
  // empty where the caller has none, so both fall back to the same private folder.
  out.XDG_RUNTIME_DIR = env.XDG_RUNTIME_DIR ?? '';
  if (env.BURROW_NAT_HELPER) out.BURROW_NAT_HELPER = env.BURROW_NAT_HELPER;
  return out;
}

/** systemd-run's arguments (after --user) for a transient start that returns at once; `supervisor` runs `supervisor.js NAME`. */
export function transientStartArgs(profile: MachineProfile, supervisor: NodeCommand): string[] {
  const env = unitEnvironment(profile, supervisor);
  return [
    `--unit=${unitName(profile.name)}`,
    `--description=Burrow machine ${profile.name}`,
    '--no-block',
    '--quiet',
    // A failed transient unit is unloaded, so the next start does not trip over it.
    '--collect',
    ...unitProperties(profile).map(([k, v]) => `--property=${k}=${v}`),
    ...Object.entries(env).map(([k, v]) => `--setenv=${k}=${v}`),
    '--',
    supervisor.file,
    ...supervisor.args,
  ];
}

/** Quoting for unit files: C-style double quotes, and `%` and `$` escaped (specifiers, variables). */
export function unitQuote(arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_./:=@+,%-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The first line of every unit file Burrow writes: how `burrow disable` and clash checks know its own. */
export const UNIT_FILE_MARKER = '# Written by burrow enable';

/** The unit file of an enabled machine; `unitRun` runs `cli.js unit-run NAME`, which prepares and supervises in one process. */
export function unitFileText(profile: MachineProfile, unitRun: NodeCommand): string {
  const env = unitEnvironment(profile, unitRun);
  return [
    `${UNIT_FILE_MARKER} ${profile.name}; \`burrow disable ${profile.name}\` removes it and \`burrow edit\` rewrites it.`,
    '[Unit]',
    `Description=Burrow machine ${profile.name}`,
    'Documentation=man:systemd.resource-control(5)',
    '',
    '[Service]',
    ...unitProperties(profile)
      .filter(([k]) => k !== 'Slice')
      .map(([k, v]) => `${k}=${v}`),
    `Slice=${UNIT_SLICE}`,
    ...Object.entries(env).map(([k, v]) => `Environment=${unitQuote(`${k}=${v}`)}`),
    `ExecStart=${[unitRun.file, ...unitRun.args].map(unitQuote).join(' ')}`,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

/** Where the user manager reads unit files written by its user: the `systemd/user` folder in its UnitPath. */
export function userUnitDir(unitPath: string | undefined, home = os.homedir()): string {
  const fromManager = unitPath?.split(/\s+/).find((p) => p.startsWith(home + '/') && p.endsWith('/systemd/user'));
  return fromManager ?? path.join(home, '.config/systemd/user');
}
