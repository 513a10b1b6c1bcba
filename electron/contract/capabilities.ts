// Linux capabilities as bwrap names them (capability.h order), grouped for people choosing them.

// prettier-ignore
export const CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

/**
 * Dropped by default: the audit subsystem is not namespaced, so a machine must not configure or read it.
 * CAP_AUDIT_WRITE stays, as systemd-nspawn keeps it: Debian 13's dbus.service raises it as an ambient
 * capability and fails to start without it (measured), and in a user namespace it grants nothing.
 */
export const AUDIT_CAPABILITIES: Capability[] = ['CAP_AUDIT_CONTROL', 'CAP_AUDIT_READ'];

/**
 * What systemd as PID 1 uses to boot a typical image (mount its API file systems, drop privileges for
 * services, set up sandboxing): the "minimal for systemd" preset.
 */
// prettier-ignore
export const SYSTEMD_CAPABILITIES: Capability[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_NET_ADMIN', 'CAP_NET_RAW',
  'CAP_IPC_OWNER', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_ADMIN', 'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_SETFCAP', 'CAP_SYS_BOOT',
];

export const CAPABILITY_GROUPS: { label: string; caps: Capability[] }[] = [
  {
    label: 'Files and ownership',
    caps: ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_LINUX_IMMUTABLE', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_SETFCAP'],
  },
  {
    label: 'Users and processes',
    caps: [
      'CAP_SETUID',
      'CAP_SETGID',
      'CAP_SETPCAP',
      'CAP_KILL',
      'CAP_SYS_PTRACE',
      'CAP_SYS_NICE',
      'CAP_SYS_RESOURCE',
      'CAP_IPC_LOCK',
      'CAP_IPC_OWNER',
      'CAP_SYS_CHROOT',
      'CAP_CHECKPOINT_RESTORE',
    ],
  },
  { label: 'Network', caps: ['CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW'] },
  {
    label: 'System',
    caps: [
      'CAP_SYS_ADMIN',
      'CAP_SYS_BOOT',
      'CAP_SYS_MODULE',
      'CAP_SYS_RAWIO',
      'CAP_SYS_PACCT',
      'CAP_SYS_TIME',
      'CAP_SYS_TTY_CONFIG',
      'CAP_WAKE_ALARM',
      'CAP_BLOCK_SUSPEND',
      'CAP_SYSLOG',
      'CAP_PERFMON',
      'CAP_BPF',
      'CAP_MAC_OVERRIDE',
      'CAP_MAC_ADMIN',
    ],
  },
  { label: 'Audit (not namespaced)', caps: ['CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_AUDIT_READ'] },
];

/**
 * What a profile grants: `add` ALL (every capability the kernel has, new ones included) minus `drop`, or
 * exactly the capabilities listed in `add` (then `drop` is empty: nothing to take away).
 */
export interface CapabilityChoice {
  add: 'ALL' | Capability[];
  drop: Capability[];
}

export const CAPABILITY_PRESET_IDS = ['all-but-audit', 'all', 'systemd', 'none'] as const;
export type CapabilityPresetId = (typeof CAPABILITY_PRESET_IDS)[number];

/**
 * The presets, one list for `burrow create --caps ID` and the wizard's buttons. `systemd` lists exactly
 * what systemd needs (SYSTEMD_CAPABILITIES) rather than ALL minus the rest, so a capability a newer
 * kernel adds is not granted by it.
 */
export const CAPABILITY_PRESETS: Record<CapabilityPresetId, { label: string; choice(): CapabilityChoice }> = {
  'all-but-audit': { label: 'All but audit control', choice: () => ({ add: 'ALL', drop: [...AUDIT_CAPABILITIES] }) },
  all: { label: 'All', choice: () => ({ add: 'ALL', drop: [] }) },
  systemd: { label: 'Minimal for systemd', choice: () => ({ add: [...SYSTEMD_CAPABILITIES], drop: [] }) },
  none: { label: 'None', choice: () => ({ add: [], drop: [] }) },
};

export const isCapabilityPresetId = (v: unknown): v is CapabilityPresetId => typeof v === 'string' && (CAPABILITY_PRESET_IDS as readonly string[]).includes(v);

/** The capabilities a choice grants, among those Burrow knows. */
export function grantedCapabilities(choice: CapabilityChoice): Set<Capability> {
  const base = choice.add === 'ALL' ? [...CAPABILITIES] : choice.add;
  return new Set(base.filter((c) => !choice.drop.includes(c)));
}

/** Grants one more capability, keeping the choice's form (ALL minus a list, or a list). */
export function grantCapability(choice: CapabilityChoice, cap: Capability): CapabilityChoice {
  if (choice.add === 'ALL') return { add: 'ALL', drop: choice.drop.filter((c) => c !== cap) };
  return { add: choice.add.includes(cap) ? [...choice.add] : [...choice.add, cap], drop: choice.drop.filter((c) => c !== cap) };
}

/** Takes one capability away, keeping the choice's form. */
export function dropCapability(choice: CapabilityChoice, cap: Capability): CapabilityChoice {
  if (choice.add === 'ALL') return { add: 'ALL', drop: choice.drop.includes(cap) ? [...choice.drop] : [...choice.drop, cap] };
  return { add: choice.add.filter((c) => c !== cap), drop: [...choice.drop] };
}

/** The preset a choice is, if it is one (the wizard marks its button). */
export function presetOf(choice: CapabilityChoice): CapabilityPresetId | undefined {
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
  return CAPABILITY_PRESET_IDS.find((id) => {
    const p = CAPABILITY_PRESETS[id].choice();
    return (p.add === 'ALL' ? choice.add === 'ALL' : choice.add !== 'ALL' && same(p.add, choice.add)) && same(p.drop, choice.drop);
  });
}

/** Accepts `cap_net_admin`, `NET_ADMIN` or `CAP_NET_ADMIN`; returns undefined for unknown names. */
export function normalizeCapability(name: string): Capability | undefined {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  return (CAPABILITIES as readonly string[]).includes(full) ? (full as Capability) : undefined;
}
