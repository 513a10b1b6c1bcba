// A machine's settings said the way people choose them: the storage and network choices with what each
// means, and the summary that opens the wizard's review (name, source, storage, network and ports, limits
// and whether this host applies them). Runtime-free: one wording wherever a profile is summed up.
import { describeLimits, describePort } from './describe';
import type { Limits, MachineProfile, NetworkMode, StorageMode } from './profile';

export interface Choice {
  label: string;
  /** What choosing it changes, in plain words. */
  explain: string;
}

export const STORAGE_CHOICES: Record<StorageMode, Choice> = {
  persistent: {
    label: 'Keep changes apart (recommended)',
    explain: 'The machine writes to its own layer over the image; the image stays pristine, and Reset discards the changes.',
  },
  ephemeral: { label: 'Forget changes at stop', explain: 'A throw-away layer: every start begins from the image as it is.' },
  direct: { label: 'Write into the image', explain: 'Changes go straight into the image folder, for every machine that uses it.' },
};

/** A machine made from a folder writes into it: the one storage a folder has, said for a folder. */
export const FOLDER_STORAGE: Choice = { label: 'Write into the folder', explain: 'Changes go straight into the folder.' };

export const NETWORK_CHOICES: Record<NetworkMode, Choice> = {
  nat: {
    label: 'User-mode NAT (recommended)',
    explain: 'Own network with outbound access through pasta; reach its services through port forwards.',
  },
  isolated: { label: 'Isolated', explain: 'Own network with loopback only: nothing goes in or out.' },
  host: {
    label: "Host's network",
    explain: "Shares your network: services bind your ports directly, and ports below 1024 (apache's :80) cannot be bound.",
  },
};

/** The storage a machine has, in its chooser's words. */
export const storageLabel = (p: Pick<MachineProfile, 'storage' | 'image'>): string =>
  p.storage === 'direct' && !p.image ? FOLDER_STORAGE.label : STORAGE_CHOICES[p.storage].label.replace(' (recommended)', '');

/** `NAT: 127.0.0.1:8080 → 80/tcp`, `NAT, nothing forwarded in`, `isolated`. */
export function networkLabel(n: MachineProfile['network']): string {
  if (n.mode === 'nat') return n.ports.length ? `NAT: ${n.ports.map(describePort).join(', ')}` : 'NAT, nothing forwarded in';
  return n.mode === 'isolated' ? 'isolated (loopback only)' : "the host's network";
}

/** Why this host cannot apply each kind of limit (host.info says it, before anything is planned). */
export type HostLimitGaps = Partial<Record<'memory' | 'pids' | 'cpu', string>>;

const LIMIT_KIND: Record<keyof Limits, keyof HostLimitGaps> = { memory: 'memory', pids: 'pids', cpus: 'cpu' };

/** Why the limits asked for cannot be applied here (each reason once), or undefined where they all can. */
export function limitsGap(limits: Limits, gaps: HostLimitGaps): string | undefined {
  const asked = (Object.keys(limits) as (keyof Limits)[]).filter((k) => limits[k] !== undefined);
  const reasons = [...new Set(asked.map((k) => gaps[LIMIT_KIND[k]]).filter((r): r is string => !!r))];
  return reasons.length ? reasons.join('; ') : undefined;
}

export interface SummaryRow {
  label: string;
  value: string;
  /** A consequence worth reading beside the value (limits this host will not apply). */
  warning?: string;
}

/**
 * The review's summary of a machine about to be made or saved. `source` names the image with what it
 * holds (`deb12: Debian GNU/Linux 12, systemd 252`); `gaps` is the host's (HostInfo.limits).
 */
export function summarizeProfile(p: MachineProfile, ctx: { source?: string; gaps?: HostLimitGaps }): SummaryRow[] {
  const gap = limitsGap(p.limits, ctx.gaps ?? {});
  return [
    { label: 'Name', value: p.name },
    { label: 'Source', value: ctx.source ?? (p.image ? `image ${p.image}` : `folder ${p.rootfs}`) },
    { label: 'Storage', value: storageLabel(p) },
    { label: 'Network and ports', value: networkLabel(p.network) },
    {
      label: 'Limits',
      value: describeLimits(p.limits),
      warning: gap && `not applied on this host (${gap}); the machine boots without them`,
    },
  ];
}
