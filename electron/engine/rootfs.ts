// Rootfs inspection: is this a bootable systemd image, and will its files keep their owners inside?
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BurrowError } from './errors';
import { guestUidFor, isMappedOwner, type IdMap, type IdRange } from './idmap';

export interface RootfsInfo {
  rootfs: string;
  /** PRETTY_NAME from os-release, or undefined when the image has none. */
  distro?: string;
  osId?: string;
  osVersion?: string;
  /** The init as a path inside the machine, with its arguments as given. */
  init?: string[];
  systemdVersion?: number;
  /** Owner problems, as sentences; empty when every checked file maps to a real owner inside. */
  ownership: string[];
}

export const INIT_CANDIDATES = ['/usr/lib/systemd/systemd', '/lib/systemd/systemd', '/sbin/init'];

/**
 * Resolves `guestPath` inside `root` the way the machine will see it: absolute symlinks restart at the
 * image's root, never at the host's. Returns the host path, or undefined when it does not exist.
 */
export function resolveInRoot(root: string, guestPath: string): string | undefined {
  const todo = guestPath.split('/').filter(Boolean);
  let current = root;
  let hops = 0;
  while (todo.length) {
    const part = todo.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      if (current !== root) current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(next);
    } catch {
      return undefined;
    }
    if (st.isSymbolicLink()) {
      if (++hops > 40) return undefined;
      const target = fs.readlinkSync(next);
      if (target.startsWith('/')) current = root;
      todo.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    current = next;
  }
  return current;
}

function isExecutableFile(p: string | undefined): boolean {
  if (!p) return false;
  try {
    const st = fs.statSync(p);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The image's own small text file: a FIFO, a device or a huge file there is not waited on or read whole. */
export function readSmallFile(file: string, max = 64 * 1024): string | undefined {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    if (!fs.fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(max);
    return buf.subarray(0, fs.readSync(fd, buf, 0, max, 0)).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function readOsRelease(root: string): Record<string, string> {
  for (const candidate of ['/etc/os-release', '/usr/lib/os-release']) {
    const file = resolveInRoot(root, candidate);
    if (!file) continue;
    try {
      const out: Record<string, string> = {};
      const text = readSmallFile(file);
      if (text === undefined) continue;
      for (const line of text.split('\n')) {
        const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (m) out[m[1]!] = m[2]!.replace(/^["']|["']$/g, '');
      }
      return out;
    } catch {
      /* try the next */
    }
  }
  return {};
}

/** systemd's version from its shared library's file name (libsystemd-shared-257.so). */
export function findSystemdVersion(root: string): number | undefined {
  const dirs = ['/usr/lib/systemd', '/lib/systemd'];
  const usrLib = resolveInRoot(root, '/usr/lib');
  if (usrLib) {
    for (const entry of safeReaddir(usrLib)) if (entry.includes('-linux-')) dirs.push(`/usr/lib/${entry}/systemd`);
  }
  for (const dir of dirs) {
    const hostDir = resolveInRoot(root, dir);
    if (!hostDir) continue;
    for (const entry of safeReaddir(hostDir)) {
      const m = /^libsystemd-shared-(\d+)/.exec(entry);
      if (m) return Number(m[1]);
    }
  }
  return undefined;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function findInit(root: string, requested: string[]): string[] | undefined {
  if (requested.length) return isExecutableFile(resolveInRoot(root, requested[0]!)) ? requested : undefined;
  const found = INIT_CANDIDATES.find((c) => isExecutableFile(resolveInRoot(root, c)));
  return found ? [found] : undefined;
}

function checkOwnership(root: string, map: IdMap): string[] {
  const problems: string[] = [];
  for (const guest of ['/', '/etc', '/usr', '/etc/passwd']) {
    const host = resolveInRoot(root, guest);
    if (!host) continue;
    const st = fs.statSync(host);
    if (!isMappedOwner(map, st.uid, st.gid)) {
      problems.push(
        `${guest} is owned by host uid ${st.uid} (gid ${st.gid}), which this machine's id mapping cannot reach, so it would appear as "nobody" inside`,
      );
    } else if (guest !== '/' && guestUidFor(map, st.uid) !== 0) {
      // Mapped, but not to root: the tree was unpacked under the other map (root yours, or root a subordinate id).
      const made = st.uid === map.own.uid ? 'with root as you (the map of images made before shared folders)' : `with root as host uid ${st.uid}`;
      problems.push(`${guest} would show as owned by uid ${guestUidFor(map, st.uid)}, not root: the files were unpacked ${made}`);
    }
  }
  return problems;
}

/**
 * Which map a tree's files were written under, from the host owner of its /etc/passwd (root's file in any
 * image): `legacy` when it is yours (images and folders made before shares, or by hand with `unshare -r`),
 * `user` when it is your first subordinate id (unpacked by Burrow since, or by mmdebstrap --mode=unshare).
 */
export function ownerLayout(root: string, host: { uid: number; subuid?: IdRange }): 'user' | 'legacy' | undefined {
  const file = resolveInRoot(root, '/etc/passwd') ?? resolveInRoot(root, '/usr');
  if (!file) return undefined;
  let uid: number;
  try {
    uid = fs.statSync(file).uid;
  } catch {
    return undefined;
  }
  if (uid === host.uid) return 'legacy';
  return host.subuid && uid === host.subuid.start ? 'user' : undefined;
}

/** Inspects without judging: used by validation, the wizard and `image inspect`. */
export function inspectRootfs(rootfs: string, map: IdMap, requestedInit: string[] = []): RootfsInfo {
  const os = readOsRelease(rootfs);
  return {
    rootfs,
    distro: os.PRETTY_NAME ?? os.NAME,
    osId: os.ID,
    osVersion: os.VERSION_ID,
    init: findInit(rootfs, requestedInit),
    systemdVersion: findSystemdVersion(rootfs),
    ownership: checkOwnership(rootfs, map),
  };
}

/** Checks that the path is a usable root file system; throws a BurrowError that says what to do. */
export function assertRootfsDir(rootfs: string): void {
  if (!path.isAbsolute(rootfs)) throw new BurrowError('invalid-input', `rootfs ${rootfs} is not an absolute path`);
  let st: fs.Stats;
  try {
    st = fs.statSync(rootfs);
  } catch {
    throw new BurrowError('rootfs-invalid', `rootfs ${rootfs} does not exist`, "give the folder that holds the image's /usr, /etc and /bin");
  }
  if (!st.isDirectory()) {
    const unpack = `mkdir DIR && unshare --user --map-auto --map-root-user tar --numeric-owner -xpf ${rootfs} -C DIR --exclude='./dev/*'`;
    const fix = /\.tar(\.\w+)?$|\.tgz$/.test(rootfs)
      ? `unpack it inside your id mapping first: ${unpack}`
      : "give the folder that holds the image's /usr, /etc and /bin";
    throw new BurrowError('rootfs-invalid', `rootfs ${rootfs} is a file, not a folder`, fix);
  }
}

/** Full validation before a machine uses the rootfs. */
export function validateRootfs(rootfs: string, map: IdMap, requestedInit: string[] = []): RootfsInfo {
  assertRootfsDir(rootfs);
  const info = inspectRootfs(rootfs, map, requestedInit);
  if (!info.init) {
    const tried = requestedInit.length ? requestedInit[0] : INIT_CANDIDATES.join(', ');
    throw new BurrowError(
      'rootfs-invalid',
      `rootfs ${rootfs} has no init (looked for ${tried})`,
      'install systemd in the image (the systemd and systemd-sysv packages), or set the init with --init',
    );
  }
  if (info.ownership.length) {
    throw new BurrowError(
      'rootfs-invalid',
      `rootfs ${rootfs}: ${info.ownership[0]}`,
      map.mode === 'single'
        ? 'a single-uid machine needs an image owned by you: re-import it with burrow image import'
        : 're-import the image from its tarball (burrow image import), which unpacks it inside your id mapping',
    );
  }
  return info;
}
