// The machine profile: what a user decides about one machine. Versioned, validated at every boundary
// (file, CLI, IPC, web host). What a new machine gets is in profile-defaults.ts (no zod there).
import * as z from 'zod';
import { CAPABILITIES, type Capability } from './capabilities';
import type { MountType } from './mounts';
import { NETWORK_NAME_RE, NETWORK_NAME_RULE } from './network-name';
import { BYTE_SIZE_RE, MACHINE_NAME_RE, MACHINE_NAME_RULE, parseByteSize } from './plain';
import { guestPath, hostPath } from './paths';
import { PROFILE_VERSION } from './profile-defaults';
import { displaySchema, shareSchema, shareUserSchema } from './share-schema';

export { BYTE_SIZE_RE, DEFAULT_PATH, MACHINE_NAME_RE, parseByteSize } from './plain';
export { MOUNT_TYPES, type MountType } from './mounts';
export { DEFAULT_MASKED_UNITS, DEFAULT_MOUNTS, defaultProfile, MOUNT_PRESETS, PROFILE_VERSION, type NewProfileInput } from './profile-defaults';

export const machineName = z.string().regex(MACHINE_NAME_RE, MACHINE_NAME_RULE);
export { guestPath, hostPath } from './paths';

const tmpfsSize = z.string().regex(BYTE_SIZE_RE, 'size is a number of bytes with an optional K, M, G or T suffix');
const octalMode = z.string().regex(/^0?[0-7]{3,4}$/, 'mode is octal, like 0755 or 1777');

const bindLike = { source: hostPath, dest: guestPath, optional: z.boolean().optional() };
export const mountSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bind'), ...bindLike }),
  z.object({ type: z.literal('ro-bind'), ...bindLike }),
  z.object({ type: z.literal('dev-bind'), ...bindLike }),
  z.object({ type: z.literal('tmpfs'), dest: guestPath, size: tmpfsSize.optional(), mode: octalMode.optional() }),
  z.object({ type: z.literal('proc'), dest: guestPath }),
  z.object({ type: z.literal('dev'), dest: guestPath }),
  z.object({ type: z.literal('mqueue'), dest: guestPath }),
  z.object({ type: z.literal('dir'), dest: guestPath, mode: octalMode.optional() }),
  z.object({ type: z.literal('symlink'), target: z.string().min(1), dest: guestPath }),
  z.object({ type: z.literal('remount-ro'), dest: guestPath }),
]);
export type Mount = z.infer<typeof mountSchema>;
// The schema has one member per mount type of mounts.ts, no more and no fewer (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const everyMountType: Same<Mount['type'], MountType> = true;
void everyMountType;

const isCapability = (v: unknown): v is Capability => typeof v === 'string' && (CAPABILITIES as readonly string[]).includes(v);
const unknownCapability = (v: unknown): string => {
  const bad = Array.isArray(v) ? v.find((c) => !isCapability(c)) : v;
  return `unknown capability ${JSON.stringify(bad)} (use names like CAP_NET_ADMIN)`;
};
export const capabilityName = z.custom<Capability>(isCapability, { error: (i) => unknownCapability(i.input) });
const capabilityList = z.custom<Capability[]>((v) => Array.isArray(v) && v.every(isCapability), { error: (i) => unknownCapability(i.input) });
const capabilityAdd = z.custom<'ALL' | Capability[]>((v) => v === 'ALL' || (Array.isArray(v) && v.every(isCapability)), {
  error: (i) => (Array.isArray(i.input) ? unknownCapability(i.input) : 'add is "ALL" or a list of capabilities'),
});

export const STORAGE_MODES = ['direct', 'persistent', 'ephemeral'] as const;
export type StorageMode = (typeof STORAGE_MODES)[number];

export const NETWORK_MODES = ['nat', 'isolated', 'host'] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

const port = (what: string) =>
  z.number().int(`${what} port must be a whole number`).min(1, `${what} port must be 1-65535`).max(65535, `${what} port must be 1-65535`);
export const portForwardSchema = z.object({
  host: port('host'),
  guest: port('guest'),
  protocol: z.enum(['tcp', 'udp']),
  /** loopback: 127.0.0.1 only (the default); all: every host interface, reachable from the network. */
  address: z.enum(['loopback', 'all']),
});
export type PortForward = z.infer<typeof portForwardSchema>;

/** Why a mode other than nat has no port forwards. */
const NO_FORWARDS_BECAUSE = { host: "services bind the host's ports directly", isolated: 'nothing outside can reach the machine' };

/** name: the user network a nat machine joins (network-name.ts); absent means the default one. */
const networkName = z.string().regex(NETWORK_NAME_RE, NETWORK_NAME_RULE).optional();
export const networkSchema = z.object({ mode: z.enum(NETWORK_MODES), ports: z.array(portForwardSchema), name: networkName }).superRefine((n, ctx) => {
  if (n.name !== undefined && n.mode !== 'nat') {
    const message = `a network name needs the nat network mode (in ${n.mode} mode the machine is on no user network)`;
    ctx.addIssue({ code: 'custom', path: ['name'], message });
  }
  if (n.ports.length && n.mode !== 'nat') {
    ctx.addIssue({
      code: 'custom',
      path: ['ports'],
      message: `port forwarding needs the nat network mode (in ${n.mode} mode ${NO_FORWARDS_BECAUSE[n.mode as 'host' | 'isolated']})`,
    });
  }
  const seen = new Set<string>();
  for (const [i, p] of n.ports.entries()) {
    const key = `${p.host}/${p.protocol}`;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['ports', i], message: `host port ${p.host}/${p.protocol} is forwarded twice` });
    seen.add(key);
  }
});
export type NetworkConfig = z.infer<typeof networkSchema>;

export const MIN_MEMORY_BYTES = 32 * 1024 ** 2;
export const limitsSchema = z.object({
  /** memory.max: a byte size like 512M or 2G, at least 32M (systemd alone needs about 10M). */
  memory: z
    .string()
    .regex(BYTE_SIZE_RE, 'memory is a size like 512M or 2G (K, M, G, T: powers of 1024)')
    // An unreadable size is already refused above: say that alone, not also "too small".
    .refine((v) => (parseByteSize(v) ?? MIN_MEMORY_BYTES) >= MIN_MEMORY_BYTES, 'memory must be at least 32M: systemd and its journal alone need about 10M')
    .optional(),
  /** pids.max: processes and threads together. */
  pids: z
    .number()
    .int('pids must be a whole number')
    .min(16, 'pids must be at least 16: systemd starts a dozen processes')
    .max(4194304, 'pids must be at most 4194304')
    .optional(),
  /** cpu.max as a number of CPUs (1.5 = one and a half). */
  cpus: z.number().min(0.01, 'cpus must be at least 0.01').max(1024, 'cpus must be at most 1024').optional(),
});
export type Limits = z.infer<typeof limitsSchema>;

export const profileSchema = z.object({
  version: z.literal(PROFILE_VERSION),
  name: machineName,
  rootfs: hostPath,
  /** The image the machine was made from (its rootfs is then that image's folder). */
  image: z.string().regex(MACHINE_NAME_RE, 'not an image name').optional(),
  /**
   * direct: the machine writes into its rootfs. persistent: an overlay keeps its changes apart, the
   * image stays pristine ("reset" discards them). ephemeral: the overlay is thrown away at stop.
   */
  storage: z.enum(STORAGE_MODES),
  hostname: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})$/, 'letters, digits and "-", up to 63 characters'),
  namespaces: z.object({
    pid: z.boolean(),
    ipc: z.boolean(),
    uts: z.boolean(),
    cgroup: z.boolean(),
  }),
  capabilities: z.object({
    add: capabilityAdd,
    drop: capabilityList,
  }),
  idMapping: z.enum(['auto', 'single']),
  /** nat: own namespace with outbound access and port forwards (pasta); isolated: loopback only; host: the host's network. */
  network: networkSchema,
  limits: limitsSchema,
  mounts: z.array(mountSchema),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment names are letters, digits and _'), z.string()),
  cgroups: z.enum(['auto', 'unified', 'hybrid']),
  /** Init and its arguments; empty means "find it": /usr/lib/systemd/systemd, then /sbin/init. */
  init: z.array(z.string().min(1)),
  /** Units masked at boot because they cannot work without real privileges (kernel debug file systems). */
  maskUnits: z.array(z.string().regex(/^[A-Za-z0-9:_.@\\-]+$/, 'not a unit name')),
  stopTimeoutSec: z.number().int().min(1).max(600),
  machineId: z.string().regex(/^[0-9a-f]{32}$/, 'machineId is 32 lowercase hex digits'),
  /** Host folders shown inside as the share user's (share.ts). */
  shares: z.array(shareSchema).optional(),
  /** Who you are inside (share.ts); absent in machines made before: root is you there. */
  shareUser: shareUserSchema.optional(),
  /** Graphical apps: which of the desktop's sockets and devices are passed in (display.ts); absent: none. */
  display: displaySchema.optional(),
});
export type MachineProfile = z.infer<typeof profileSchema>;

/**
 * Brings an older profile to the current version. Version 1 had `namespaces.net` (its own namespace
 * held only loopback), no limits and no overlays: it becomes `isolated` or `host`, so an existing machine keeps
 * the network it had.
 */
export function migrateProfile(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || (raw as { version?: unknown }).version !== 1) return raw;
  const v1 = raw as { namespaces?: Record<string, unknown> } & Record<string, unknown>;
  const { net, ...namespaces } = v1.namespaces ?? {};
  return { ...v1, version: 2, namespaces, storage: 'direct', network: { mode: net === false ? 'host' : 'isolated', ports: [] }, limits: {} };
}

/** Formats zod issues as short lines a person can act on: `mounts.2.dest: must be an absolute path`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`)
    .slice(0, 5)
    .join('; ');
}
