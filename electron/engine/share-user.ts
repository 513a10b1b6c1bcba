// Who you are in a machine: its share user, settled when the machine is made and kept after. Its uid is
// part of the machine's id map (idmap.ts: that guest user is you), so what it made in the machine is yours
// on the host; changing it later would hand those files to another user inside.
//
// The image's /etc/passwd and /etc/group decide the rest: a user already there (by name or uid) is used,
// a missing one is made at boot by the machine's setup unit (guest-setup.ts). Both files are the guest's:
// read bounded, without following links out of the tree, and only well-formed lines count.
import * as fs from 'node:fs';
import type { MachineProfile } from '../contract/profile';
import { DEFAULT_SHARE_UID, GUEST_USER_RE, guestUserName, isResolved, type ResolvedShareUser, type ShareUser } from '../contract/share';
import { BurrowError } from './errors';
import { canMapAuto, type HostFacts } from './host-probe';
import type { IdMap } from './idmap';
import { resolveIdMap } from './launch-plan';
import { overlayPaths } from './overlay';
import { ownerLayout, readSmallFile, resolveInRoot } from './rootfs';
import { bootLayers } from './snapshot-store';

export interface GuestAccount {
  name: string;
  id: number;
  /** The primary group (users only). */
  gid?: number;
}

/** Entries of a passwd- or group-style file; a line that is not NAME:x:ID[:GID…] is skipped. */
export function parseAccounts(text: string, kind: 'passwd' | 'group'): GuestAccount[] {
  const out: GuestAccount[] = [];
  for (const line of text.split('\n').slice(0, 10000)) {
    const f = line.split(':');
    const [name, , id, gid] = f;
    if (!name || !/^\d{1,10}$/.test(id ?? '') || (kind === 'passwd' && !/^\d{1,10}$/.test(gid ?? ''))) continue;
    out.push({ name, id: Number(id), ...(kind === 'passwd' ? { gid: Number(gid) } : {}) });
  }
  return out;
}

/** The accounts a machine has: from the topmost tree (overlay upper, snapshot layers, image) that holds the file. */
export function readAccounts(trees: string[], kind: 'passwd' | 'group'): GuestAccount[] {
  for (const tree of trees) {
    const file = resolveInRoot(tree, `/etc/${kind}`);
    if (!file) continue;
    try {
      const text = readSmallFile(file, 1024 * 1024);
      if (text !== undefined) return parseAccounts(text, kind);
    } catch {
      /* unreadable here: the next tree down */
    }
  }
  return [];
}

/**
 * The share user a request asks for, given the machine's accounts: an existing user by name or uid keeps
 * its uid and group; a new one gets the uid asked for, else `defaultUid` (the image's, 1000), else the first
 * free uid from 1000, and a group of the same number. Its name is the one asked for, the existing one, or
 * your login name.
 */
export function resolveShareUser(
  request: ShareUser | undefined,
  users: GuestAccount[],
  groups: GuestAccount[],
  login: string,
  defaultUid = DEFAULT_SHARE_UID,
): ResolvedShareUser {
  const byName = request?.name !== undefined ? users.find((u) => u.name === request.name) : undefined;
  if (byName && request?.uid !== undefined && byName.id !== request.uid) {
    throw new BurrowError(
      'invalid-input',
      `--share-user: the machine's user ${byName.name} has uid ${byName.id}, not ${request.uid}`,
      `give only the name (${byName.name}) or only the uid`,
    );
  }
  const taken = new Set(users.map((u) => u.id));
  const free = (uid: number) => !taken.has(uid);
  let uid = request?.uid ?? byName?.id;
  if (uid === undefined && request?.name === undefined)
    uid = defaultUid; // the image's user, there or not
  else if (uid === undefined) {
    // A new user by name: never another user's uid.
    uid = free(defaultUid) ? defaultUid : 1000;
    while (!free(uid)) uid++;
  }
  const existing = users.find((u) => u.id === uid);
  const usable = (n: string | undefined) => (n && GUEST_USER_RE.test(n) ? n : undefined);
  const name = request?.name ?? usable(existing?.name) ?? guestUserName(login);
  const gid = request?.gid ?? existing?.gid ?? groups.find((g) => g.name === name)?.id ?? uid;
  return { name, uid, gid };
}

/** The trees whose files make the machine's /etc, top first. */
function machineTrees(profile: MachineProfile): string[] {
  const overlay = overlayPaths(profile.name, profile.storage, profile.rootfs, bootLayers(profile));
  return overlay ? [overlay.upper, ...(overlay.layers ?? []), overlay.lower] : [profile.rootfs];
}

/** The image store loads zod: only a machine being made or edited reads its image's record. */
const imageStore = (): typeof import('./image-store') => require('./image-store');

function imageUser(profile: MachineProfile): number | undefined {
  try {
    return profile.image ? imageStore().loadImage(profile.image).user?.uid : undefined;
  } catch {
    return undefined;
  }
}

/** The way out for a machine whose files are owned the old way: a copy of them made the new way. */
function oldMapFix(profile: MachineProfile): string {
  const copy = `burrow image import NEW ${profile.rootfs} --copy`;
  if (!profile.image) return `unpack the folder again under the new map: ${copy}, then: burrow create NAME --image NEW`;
  return `images imported before shared folders keep root as you; import it again (${copy} unpacks it under the new map), then create the machine from that`;
}

/**
 * Settles a profile's share user on this host (create, edit, plan): resolved from the machine's accounts
 * where the machine's files are owned the new way, refused with the way out where they are owned the old
 * way (root is you there, so your files would show as root's), and kept once made.
 */
export function settleShareUser(profile: MachineProfile, host: HostFacts, before?: MachineProfile): MachineProfile {
  const wants = [profile.shareUser && '--share-user', profile.shares?.length && '--share', profile.display && '--display'].filter(Boolean);
  if (profile.idMapping === 'single') {
    if (profile.shareUser || profile.display)
      throw new BurrowError(
        'invalid-input',
        'a single-uid machine has only root inside, and root is you: it has no share user and no display',
        'use --id-mapping auto (it needs a range in /etc/subuid); shares work without one',
      );
    return profile;
  }
  if (!canMapAuto(host)) return profile; // the plan falls back to one uid and says why
  if (!fs.existsSync(profile.rootfs)) return profile; // validateRootfs says it is gone, in those words
  if (ownerLayout(profile.rootfs, host) !== 'user') {
    if (!wants.length) return { ...profile, shareUser: undefined };
    const which = profile.image ? `image "${profile.image}"` : `the folder ${profile.rootfs}`;
    throw new BurrowError(
      'invalid-input',
      `${wants.join(', ')}: the files of ${which} are owned with root as you (made before shared folders), so a share would show as root's inside`,
      oldMapFix(profile),
    );
  }
  const kept = before && isResolved(before.shareUser) ? before.shareUser : undefined;
  if (kept && isResolved(profile.shareUser) && profile.shareUser.uid === kept.uid) return profile;
  const trees = machineTrees(profile);
  const [users, groups] = [readAccounts(trees, 'passwd'), readAccounts(trees, 'group')];
  const resolved = resolveShareUser(profile.shareUser ?? kept, users, groups, host.user, imageUser(profile));
  if (kept && resolved.uid !== kept.uid) {
    throw new BurrowError(
      'invalid-input',
      `the share user of "${profile.name}" is uid ${kept.uid} (${kept.name}) for good: ` +
        `what it made there is yours on the host, and would become uid ${resolved.uid}'s`,
      'keep it, or make a new machine with another --share-user',
    );
  }
  return { ...profile, shareUser: resolved };
}

/**
 * The map a tree is read under when no machine says (an image, a folder being inspected): the new one
 * where its files are owned the new way (with `user`, an image's share user, as you), the old one where
 * root's files are yours.
 */
export function layoutIdMap(rootfs: string, host: HostFacts, user?: { uid: number; gid: number }): { map: IdMap; layout?: 'user' | 'legacy' } {
  const layout = ownerLayout(rootfs, host);
  if (layout === 'user') return { map: resolveIdMap('auto', host, user ?? { uid: DEFAULT_SHARE_UID, gid: DEFAULT_SHARE_UID }).map, layout };
  return { map: resolveIdMap('auto', host).map, layout };
}
