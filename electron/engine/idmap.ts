// Id mapping: which host ids the machine's users become. `auto` maps the user's first /etc/subuid and
// /etc/subgid range (through setuid newuidmap/newgidmap, via `unshare --map-auto`); `single` maps only
// the user's own id to root, so services with User= fail.
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface IdRange {
  start: number;
  count: number;
}

/** First range of `user` (by name or numeric uid) in an /etc/subuid-style file's text. */
export function parseSubidRanges(text: string, user: string, uid: number): IdRange | undefined {
  for (const line of text.split('\n')) {
    const [owner, start, count] = line.trim().split(':');
    if (!owner || start === undefined || count === undefined) continue;
    if (owner !== user && owner !== String(uid)) continue;
    const s = Number(start);
    const c = Number(count);
    if (Number.isInteger(s) && Number.isInteger(c) && c > 0) return { start: s, count: c };
  }
  return undefined;
}

export function readSubidRange(file: '/etc/subuid' | '/etc/subgid'): IdRange | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const info = os.userInfo();
  return parseSubidRanges(text, info.username, info.uid);
}

export interface IdMap {
  mode: 'auto' | 'single';
  /** Host uid and gid that the machine's root (0) becomes. */
  rootUid: number;
  rootGid: number;
  /** Guest ids 1..count map to host start..start+count-1 (auto mode only). */
  uidRange?: IdRange;
  gidRange?: IdRange;
}

/**
 * The mapping `unshare --map-auto --map-root-user` sets up: root is the user, and the subordinate range
 * starts at guest id 1 (its last id has no place: measured `1 100000 65535` for a 65536-wide range).
 */
export function buildIdMap(mode: 'auto' | 'single', uid: number, gid: number, sub?: { uid?: IdRange; gid?: IdRange }): IdMap {
  const shrink = (r?: IdRange): IdRange | undefined => (r && r.count > 1 ? { start: r.start, count: r.count - 1 } : undefined);
  if (mode === 'single') return { mode, rootUid: uid, rootGid: gid };
  return { mode, rootUid: uid, rootGid: gid, uidRange: shrink(sub?.uid), gidRange: shrink(sub?.gid) };
}

/** Which host uid a guest uid lands on, or undefined where the mapping has no place for it. */
export function hostUidFor(map: IdMap, guestId: number): number | undefined {
  if (guestId === 0) return map.rootUid;
  const r = map.uidRange;
  if (r && guestId >= 1 && guestId <= r.count) return r.start + guestId - 1;
  return undefined;
}

function inRange(id: number, root: number, r?: IdRange): boolean {
  return id === root || (!!r && id >= r.start && id < r.start + r.count);
}

/** Whether a host-owned file keeps a real owner inside the machine (not `nobody`). */
export function isMappedOwner(map: IdMap, hostUid: number, hostGid: number): boolean {
  return inRange(hostUid, map.rootUid, map.uidRange) && inRange(hostGid, map.rootGid, map.gidRange);
}

/**
 * The command that creates the machine's user namespace (auto) before bwrap runs inside it; with
 * `mount`, also a mount namespace (for an overlay), and then for a single-uid mapping too.
 */
export function userNamespacePrefix(map: IdMap, unsharePath = 'unshare', opts: { mount?: boolean } = {}): string[] {
  if (opts.mount) return map.mode === 'auto' ? [unsharePath, '--user', '--map-auto', '--map-root-user', '--mount', '--'] : [unsharePath, '--user', '--map-root-user', '--mount', '--'];
  return map.mode === 'auto' ? [unsharePath, '--user', '--map-auto', '--map-root-user', '--'] : [];
}
