// The kinds of mount a profile can ask for, as bwrap names them: the one list the schema, the launch
// plan, the CLI's --mount syntax and the wizard's table are checked against. Runtime-free.

export const MOUNT_TYPES = ['bind', 'ro-bind', 'dev-bind', 'tmpfs', 'proc', 'dev', 'mqueue', 'dir', 'symlink', 'remount-ro'] as const;
export type MountType = (typeof MOUNT_TYPES)[number];

/** Mounts of a host path (they have a `source`); the ones the risk rules judge. */
export const BIND_MOUNT_TYPES = ['bind', 'ro-bind', 'dev-bind'] as const satisfies readonly MountType[];
export type BindMountType = (typeof BIND_MOUNT_TYPES)[number];

export const isMountType = (v: unknown): v is MountType => typeof v === 'string' && (MOUNT_TYPES as readonly string[]).includes(v);
export const isBindMountType = (v: unknown): v is BindMountType => typeof v === 'string' && (BIND_MOUNT_TYPES as readonly string[]).includes(v);

/** A mount of a host path, narrowed so its `source` can be read. */
export const isBindMount = <M extends { type: string }>(m: M): m is Extract<M, { type: BindMountType }> => isBindMountType(m.type);
