// The user network a nat machine joins: machines on the same one reach each other by machine name; a
// machine on another cannot reach them. Runtime-free (no zod): the supervisor and the window use it too.
//
// A network name becomes part of a folder name (runtime/.networks/NAME), a unit name
// (burrow-network.NAME.service) and a comment line in the machines' /etc/hosts, so it is as plain as a
// machine name, and shorter.

export const NETWORK_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,30}$/;
export const NETWORK_NAME_RULE = 'a network name is 1-31 lowercase letters, digits, "-" or "_", starting with a letter or digit';

/** Every nat machine without a network name of its own shares this one (one per user and configuration). */
export const DEFAULT_NETWORK_NAME = 'default';
/**
 * A nat machine on no user network: no other machine reaches it by name, and it starts exactly as nat
 * machines did before user networks (its own user namespace made from the host's; no holder).
 */
export const NO_NETWORK_NAME = 'none';

/** The user network a machine joins: nat machines only, the default one unless the profile names another (or none). */
export function userNetworkOf(network: { mode: string; name?: string }): string | undefined {
  if (network.mode !== 'nat' || network.name === NO_NETWORK_NAME) return undefined;
  return network.name ?? DEFAULT_NETWORK_NAME;
}
