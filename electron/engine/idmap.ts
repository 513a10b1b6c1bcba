// Id mapping: which host ids a machine's users become, as the lines of its uid_map and gid_map.
//
// - `user` (machines made since shared folders exist): guest id N is subordinate id START+N for the whole
//   /etc/subuid range, except one guest user (the share user, uid 1000 by default) who is you. Your files
//   show inside as that user's, what it makes is yours on the host, and root in the machine is a
//   subordinate id, not your account. newuidmap writes these lines (see userns-holder.ts).
// - `legacy` (machines and images made before): root is you and guest id N is START+N-1, as
//   `unshare --map-auto --map-root-user` maps it. Their files on disk are owned that way, so they keep it.
// - `single` (no subordinate range): only root exists inside, and it is you.
// - `tree`: not a machine's map, but the one file operations use (copy, remove, measure): your id and the
//   whole subordinate range, so every file of every layout keeps its host owner through a copy.
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

/** One line of /proc/PID/uid_map: guest ids inside..inside+count-1 are host ids outside..outside+count-1. */
export interface IdMapLine {
  inside: number;
  outside: number;
  count: number;
}

export type IdMapKind = 'user' | 'legacy' | 'single' | 'tree';

/** The guest user who is you (uid and primary gid inside the machine). */
export interface GuestIds {
  uid: number;
  gid: number;
}

export interface IdMap {
  kind: IdMapKind;
  /** auto: a subordinate range is mapped; single: only your own id. */
  mode: 'auto' | 'single';
  /** Your own uid and gid on the host. */
  own: GuestIds;
  /** The guest user who is you (kind `user`); root is you otherwise. */
  user?: GuestIds;
  uidLines: IdMapLine[];
  gidLines: IdMapLine[];
}

const line = (inside: number, outside: number, count: number): IdMapLine => ({ inside, outside, count });

/** Guest ids 0..count-1 on the range, with `guest` cut out of it and given your own id instead. */
export function userLines(own: number, range: IdRange, guest: number): IdMapLine[] {
  if (guest >= range.count) return [line(0, range.start, range.count), line(guest, own, 1)];
  const after = range.count - guest - 1;
  return [...(guest > 0 ? [line(0, range.start, guest)] : []), line(guest, own, 1), ...(after > 0 ? [line(guest + 1, range.start + guest + 1, after)] : [])];
}

/** unshare --map-auto --map-root-user: root is you, the range starts at guest id 1 and loses its last id. */
export function legacyLines(own: number, range: IdRange): IdMapLine[] {
  return range.count > 1 ? [line(0, own, 1), line(1, range.start, range.count - 1)] : [line(0, own, 1)];
}

/** Your id as root and the whole range after it: every host id any layout uses. */
export function treeLines(own: number, range: IdRange): IdMapLine[] {
  return [line(0, own, 1), line(1, range.start, range.count)];
}

export interface SubRanges {
  uid?: IdRange;
  gid?: IdRange;
}

/**
 * A machine's map: `single` maps only you (as root); `auto` maps the subordinate range, with `user` as
 * you (kind `user`) or, without one, root as you (kind `legacy`, machines made before shares).
 */
export function buildIdMap(mode: 'auto' | 'single', own: GuestIds, sub: SubRanges = {}, user?: GuestIds): IdMap {
  if (mode === 'single' || !sub.uid || !sub.gid) {
    return { kind: 'single', mode: 'single', own, uidLines: [line(0, own.uid, 1)], gidLines: [line(0, own.gid, 1)] };
  }
  if (!user) return { kind: 'legacy', mode, own, uidLines: legacyLines(own.uid, sub.uid), gidLines: legacyLines(own.gid, sub.gid) };
  return { kind: 'user', mode, own, user, uidLines: userLines(own.uid, sub.uid, user.uid), gidLines: userLines(own.gid, sub.gid, user.gid) };
}

/** The map file operations run under (copies, removal, sizes): see `tree` above. */
export function buildTreeMap(own: GuestIds, sub: Required<SubRanges>): IdMap {
  return { kind: 'tree', mode: 'auto', own, uidLines: treeLines(own.uid, sub.uid), gidLines: treeLines(own.gid, sub.gid) };
}

function toHost(lines: IdMapLine[], guest: number): number | undefined {
  const l = lines.find((l) => guest >= l.inside && guest < l.inside + l.count);
  return l ? l.outside + guest - l.inside : undefined;
}

function toGuest(lines: IdMapLine[], host: number): number | undefined {
  const l = lines.find((l) => host >= l.outside && host < l.outside + l.count);
  return l ? l.inside + host - l.outside : undefined;
}

/** Which host uid a guest uid lands on, or undefined where the mapping has no place for it. */
export const hostUidFor = (map: IdMap, guestId: number): number | undefined => toHost(map.uidLines, guestId);
export const hostGidFor = (map: IdMap, guestId: number): number | undefined => toHost(map.gidLines, guestId);
/** Which guest uid a host uid shows as inside (undefined: `nobody`). */
export const guestUidFor = (map: IdMap, hostId: number): number | undefined => toGuest(map.uidLines, hostId);
export const guestGidFor = (map: IdMap, hostId: number): number | undefined => toGuest(map.gidLines, hostId);

/** Whether a host-owned file keeps a real owner inside the machine (not `nobody`). */
export function isMappedOwner(map: IdMap, hostUid: number, hostGid: number): boolean {
  return guestUidFor(map, hostUid) !== undefined && guestGidFor(map, hostGid) !== undefined;
}

/** The lines as newuidmap and newgidmap take them: `inside outside count …`. */
export const mapArgs = (lines: IdMapLine[]): string => lines.map((l) => `${l.inside} ${l.outside} ${l.count}`).join(' ');

/** The map in words: who root is, who you are, and where the other ids live on the host. */
export function describeIdMap(map: IdMap): string {
  const range = map.uidLines.filter((l) => l.outside !== map.own.uid);
  const first = range[0]?.outside;
  const last = range.length ? Math.max(...range.map((l) => l.outside + l.count - 1)) : undefined;
  const subs = first !== undefined ? `your subordinate ids ${first}-${last}` : '';
  if (map.kind === 'single') return `root is you (uid ${map.own.uid}); no other uid exists inside`;
  if (map.kind === 'user') {
    const you = `uid ${map.user!.uid} inside is you (uid ${map.own.uid}): your files show as its own and what it makes is yours`;
    return `${you}; root is subordinate id ${hostUidFor(map, 0)}, not your account; the other uids are ${subs}`;
  }
  return `root is you (uid ${map.own.uid}); uids 1-${(last ?? 0) - (first ?? 0) + 1} are ${subs} (the map of machines made before shared folders)`;
}
