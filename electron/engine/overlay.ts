// Pristine images: a machine in persistent or ephemeral storage boots its image through an overlay whose
// upper layer holds everything it changes. Mounted inside the machine's user and mount namespaces before
// bwrap starts (overlayfs in a user namespace: kernel 5.11+; fuse-overlayfs where that is refused).
import * as path from 'node:path';
import type { StorageMode } from '../contract/profile';
import { BurrowError } from './errors';
import { removeMappedTree } from './mapped-exec';
import { dataDir, machineRuntimeDir } from './paths';
import { shellQuote } from './shell-quote';

export interface OverlayPaths {
  /** The image (or rootfs folder) at the bottom. */
  lower: string;
  /** Frozen layers between the upper layer and the image, top first (snapshots, see layer-stack.ts). */
  layers?: string[];
  /** The folder of upper/ and work/: in the data folder (persistent) or the runtime folder (ephemeral). */
  dir: string;
  upper: string;
  work: string;
  /** Where the merged tree is mounted (inside the machine's mount namespace only). */
  merged: string;
}

export const persistentOverlayDir = (machine: string): string => path.join(dataDir(), 'overlays', machine);
export const ephemeralOverlayDir = (machine: string): string => path.join(machineRuntimeDir(machine), 'overlay');

export function overlayPaths(machine: string, storage: StorageMode, lower: string, layers: string[] = []): OverlayPaths | undefined {
  if (storage === 'direct') return undefined;
  const dir = storage === 'persistent' ? persistentOverlayDir(machine) : ephemeralOverlayDir(machine);
  return {
    lower,
    ...(layers.length ? { layers } : {}),
    dir,
    upper: path.join(dir, 'upper'),
    work: path.join(dir, 'work'),
    merged: path.join(machineRuntimeDir(machine), 'root'),
  };
}

/** overlayfs reads its options from one page: the whole option string must fit in it. */
const MOUNT_OPTIONS_MAX = 4000;

/** overlayfs takes its folders in one option string: `,` and `:` cannot appear in them. */
export function checkOptionPath(p: string): void {
  if (/[,:\\]/.test(p))
    throw new BurrowError(
      'invalid-input',
      `the overlay cannot use ${p}: its path holds "," ":" or "\\", which overlayfs options cannot carry`,
      'move or rename the folder, or use --direct storage',
    );
}

/** The shell step, run as root of the new user and mount namespaces, that mounts the overlay, then runs bwrap. */
export function overlayMountScript(o: OverlayPaths): string {
  const lowers = [...(o.layers ?? []), o.lower];
  for (const p of [...lowers, o.upper, o.work]) checkOptionPath(p);
  const dirs = `lowerdir=${lowers.join(':')},upperdir=${o.upper},workdir=${o.work}`;
  if (dirs.length > MOUNT_OPTIONS_MAX)
    throw new BurrowError(
      'invalid-input',
      `the overlay's ${lowers.length} layers make an option string of ${dirs.length} bytes, more than overlayfs reads`,
      'move XDG_DATA_HOME to a shorter path, or delete old snapshots',
    );
  // userxattr: in a user namespace overlayfs keeps its marks (opaque folders) in user.overlay.* xattrs. Without
  // it the kernel cannot mark a folder opaque, and removing a folder that came from the image fails with EIO.
  // fuse-overlayfs has no such option (it keeps its own marks).
  const kernel = shellQuote(`userxattr,${dirs}`);
  const fuse = shellQuote(dirs);
  const m = shellQuote(o.merged);
  const failed = 'burrow: cannot mount the overlay (overlayfs in a user namespace needs Linux 5.11, or install fuse-overlayfs)';
  const mount = `mount -t overlay burrow -o ${kernel} ${m} 2>/dev/null || fuse-overlayfs -o ${fuse} ${m} || { echo "${failed}" >&2; exit 1; }`;
  // The machine's / is the upper folder's root, which Burrow made as you: give it the image root's owner and
  // mode (root's, whichever host id that is), as systemd-tmpfiles refuses paths under a / that root does not own.
  const l = shellQuote(o.lower);
  const root = `chown --reference=${l} ${m} && chmod --reference=${l} ${m}`;
  return `${mount}; ${root}; exec "$@"`;
}

/** Discards what a machine changed on top of its image (persistent storage), or what an ephemeral run left. */
export function discardOverlay(dir: string): void {
  removeMappedTree(dir);
}
