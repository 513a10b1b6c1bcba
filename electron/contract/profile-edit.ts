// What an edit of a profile changes, and when a machine sees it: one rule for `burrow edit`, the
// wizard's "Save changes" and anything else that rewrites a profile. Runtime-free.
import { isLive, type MachineState } from './machine-state';
import type { MachineProfile } from './profile';

/** The profile's top-level settings that differ, in the order the profile lists them. */
export function changedFields(before: MachineProfile, after: MachineProfile): (keyof MachineProfile)[] {
  return (Object.keys(after) as (keyof MachineProfile)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

/**
 * A running machine keeps the plan it started with (its argv, mounts, network, limits and stop timeout
 * all come from the profile at start): any change reaches it at its next start, none before.
 */
export const restartNeeded = (changed: readonly string[], state: MachineState): boolean => changed.length > 0 && isLive(state);
