// What an edit of a profile changes, and when a machine sees it: one rule for `burrow edit`, the
// wizard's "Save changes" and anything else that rewrites a profile. Runtime-free.
import { isLive, type MachineState } from './machine-state';
import type { Limits, MachineProfile, PortForward } from './profile';

/** The profile's top-level settings that differ, in the order the profile lists them. */
export function changedFields(before: MachineProfile, after: MachineProfile): (keyof MachineProfile)[] {
  return (Object.keys(after) as (keyof MachineProfile)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

/**
 * A running machine keeps the plan it started with (its argv, mounts, network, limits and stop timeout
 * all come from the profile at start): any change reaches it at its next start, none before.
 */
export const restartNeeded = (changed: readonly string[], state: MachineState): boolean => changed.length > 0 && isLive(state);

/** The settings people read beside a machine, by what they are called. */
const FIELD_WORDS: Partial<Record<keyof MachineProfile, string>> = {
  network: 'network',
  limits: 'limits',
  mounts: 'mounts',
  capabilities: 'capabilities',
  namespaces: 'namespaces',
  storage: 'storage',
  cgroups: 'cgroups',
  env: 'environment',
  hostname: 'hostname',
  stopTimeoutSec: 'stop timeout',
  init: 'init',
  maskUnits: 'masked units',
  idMapping: 'id mapping',
  rootfs: 'rootfs',
  image: 'image',
};

export interface PendingChanges {
  /** What changed since the launch began, in words (`network`, `limits`), in the profile's order. */
  settings: string[];
  /** Port forwards by what the running machine has: live (in both), waiting (added: nothing listens yet), leaving (removed: still open). */
  ports: { port: PortForward; now: 'live' | 'waiting' | 'leaving' }[];
  /** The limits the next start will ask for, where they differ from the running launch's. */
  nextLimits?: Limits;
}

const portKey = (p: PortForward) => JSON.stringify([p.host, p.guest, p.protocol, p.address]);

/**
 * What the window shows as pending on a live machine: the settings changed since its launch began (they
 * apply at the next start), and each port forward as the machine has it now. `applied` is undefined for a
 * stopped machine (everything reads as it is saved) or a launch that recorded no settings.
 */
export function pendingChanges(applied: MachineProfile | undefined, current: MachineProfile): PendingChanges {
  const ports = (list: PortForward[], now: 'live' | 'waiting' | 'leaving') => list.map((port) => ({ port, now }));
  if (!applied) return { settings: [], ports: ports(current.network.ports, 'live') };
  const running = applied.network.mode === 'nat' ? applied.network.ports : [];
  const inRunning = new Set(running.map(portKey));
  const inCurrent = new Set(current.network.ports.map(portKey));
  const changed = changedFields(applied, current).filter((k) => k !== 'version' && k !== 'machineId');
  return {
    settings: changed.map((k) => FIELD_WORDS[k] ?? k),
    ports: [
      ...current.network.ports.map((port) => ({ port, now: inRunning.has(portKey(port)) ? ('live' as const) : ('waiting' as const) })),
      ...ports(
        running.filter((p) => !inCurrent.has(portKey(p))),
        'leaving',
      ),
    ],
    nextLimits: changed.includes('limits') ? current.limits : undefined,
  };
}
