// What a new machine gets: the default profile, mounts and masked units, and the wizard's mount presets.
// Plain data apart from the schema (profile.ts), so whoever only makes or reads profiles (the machine
// service, the CLI's start path) need not load zod. Defaults reproduce the seed's intent with today's tools.
import { CAPABILITY_PRESETS } from './capabilities';
import { DEFAULT_PATH } from './plain';
import type { MachineProfile, Mount } from './profile';

export const PROFILE_VERSION = 2;

export const DEFAULT_MOUNTS: Mount[] = [
  { type: 'proc', dest: '/proc' },
  { type: 'dev', dest: '/dev' },
  { type: 'ro-bind', source: '/sys', dest: '/sys' },
  { type: 'mqueue', dest: '/dev/mqueue' },
  { type: 'tmpfs', dest: '/run', mode: '0755' },
  { type: 'tmpfs', dest: '/tmp', mode: '1777' },
];

/** Presets offered in the wizard, after the seed (its tmpfs /var and /var/log keep an image pristine). */
export const MOUNT_PRESETS: { label: string; mount: Mount }[] = [
  { label: 'tmpfs /run', mount: { type: 'tmpfs', dest: '/run', mode: '0755' } },
  { label: 'tmpfs /tmp', mount: { type: 'tmpfs', dest: '/tmp', mode: '1777' } },
  { label: 'tmpfs /var/log', mount: { type: 'tmpfs', dest: '/var/log', mode: '0755' } },
  { label: 'tmpfs /var/tmp', mount: { type: 'tmpfs', dest: '/var/tmp', mode: '1777' } },
  { label: 'read-only /', mount: { type: 'remount-ro', dest: '/' } },
];

/** Units that cannot work without real privileges (kernel debug file systems, module loading). */
export const DEFAULT_MASKED_UNITS = ['sys-kernel-debug.mount', 'sys-kernel-tracing.mount', 'systemd-modules-load.service'];

export interface NewProfileInput {
  name: string;
  rootfs: string;
  machineId: string;
}

export function defaultProfile({ name, rootfs, machineId }: NewProfileInput): MachineProfile {
  return {
    version: PROFILE_VERSION,
    name,
    rootfs,
    storage: 'direct',
    hostname: name.replace(/_/g, '-'),
    namespaces: { pid: true, ipc: true, uts: true, cgroup: true },
    capabilities: CAPABILITY_PRESETS['all-but-audit'].choice(),
    idMapping: 'auto',
    network: { mode: 'nat', ports: [] },
    limits: {},
    mounts: DEFAULT_MOUNTS.map((m) => ({ ...m })),
    env: { container: 'burrow', PATH: DEFAULT_PATH, TERM: 'xterm-256color' },
    cgroups: 'auto',
    init: [],
    maskUnits: [...DEFAULT_MASKED_UNITS],
    stopTimeoutSec: 30,
    machineId,
  };
}
