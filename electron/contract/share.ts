// Shared folders: a host folder bound into the machine, where it shows as owned by your user in the machine
// (the share user), because the machine's id map makes that user you (engine/idmap.ts). The rules for a
// share and for naming that user, shared by the CLI (--share, --share-user), the wizard and the engine.
// Runtime-free and without zod (the machine-start path loads it); the schemas are in share-schema.ts.

export interface Share {
  source: string;
  dest: string;
  readOnly: boolean;
}

/**
 * Who you are in the machine. A request names the user, its uid or both; the engine fills in the rest
 * when the machine is made (from the image's /etc/passwd: an existing user is used, a missing one is
 * created at boot) and the uid then stays: files that user made are yours on the host.
 */
export interface ShareUser {
  name?: string;
  uid?: number;
  gid?: number;
}

/** The share user of a machine once made: all three known. */
export type ResolvedShareUser = Required<ShareUser>;
export const isResolved = (u: ShareUser | undefined): u is ResolvedShareUser => !!u && u.name !== undefined && u.uid !== undefined && u.gid !== undefined;

/** Places a share must not cover: the machine's API file systems and what Burrow binds there itself. */
export const RESERVED_SHARE_DESTS = ['/', '/proc', '/sys', '/dev', '/run/host', '/run/burrow', '/run/systemd'];

export const reservedBy = (dest: string): string | undefined => RESERVED_SHARE_DESTS.find((r) => dest === r || (r !== '/' && dest.startsWith(`${r}/`)));

/** A user name the usual tools inside accept (useradd's default rule). */
export const GUEST_USER_RE = /^[a-z_][a-z0-9_-]{0,30}$/;

/** The uid a new machine's share user gets when nobody chose one (the first user of most distributions). */
export const DEFAULT_SHARE_UID = 1000;

/** Your login name as a user name inside (lowercased, other characters as "-"); `user` where nothing is left. */
export function guestUserName(login: string): string {
  const name = login
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '-')
    .replace(/^[^a-z_]+/, '')
    .slice(0, 31);
  return GUEST_USER_RE.test(name) ? name : 'user';
}

export const describeShare = (s: Share): string => `${s.source} → ${s.dest}${s.readOnly ? ' (read-only)' : ''}`;
