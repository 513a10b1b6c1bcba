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
  lower: string;
  /** The folder of upper/ and work/: in the data folder (persistent) or the runtime folder (ephemeral). */
  dir: string;
  upper: string;
  work: string;
  /** Where the merged tree is mounted (inside the machine's mount namespace only). */
  merged: string;
}

export const persistentOverlayDir = (machine: string): string => path.join(dataDir(), 'overlays', machine);
export const ephemeralOverlayDir = (machine: string): string => path.join(machineRuntimeDir(machine), 'overlay');

export function overlayPaths(machine: string, storage: StorageMode, lower: string): OverlayPaths | undefined {
  if (storage === 'direct') return undefined;
  const dir = storage === 'persistent' ? persistentOverlayDir(machine) : ephemeralOverlayDir(machine);
  return { lower, dir, upper: path.join(dir, 'upper'), work: path.join(dir, 'work'), merged: path.join(machineRuntimeDir(machine), 'root') };
}

/** overlayfs takes its folders in one option string: `,` and `:` cannot appear in them. */
function checkOptionPath(p: string): void {
  if (/[,:\\]/.test(p)) throw new BurrowError('invalid-input', `the overlay cannot use ${p}: its path holds "," ":" or "\\", which overlayfs options cannot carry`, 'move or rename the folder, or use --direct storage');
}

/** The shell step, run as root of the new user and mount namespaces, that mounts the overlay, then runs bwrap. */
export function overlayMountScript(o: OverlayPaths): string {
  for (const p of [o.lower, o.upper, o.work]) checkOptionPath(p);
  const opts = shellQuote(`lowerdir=${o.lower},upperdir=${o.upper},workdir=${o.work}`);
  const m = shellQuote(o.merged);
  const failed = 'burrow: cannot mount the overlay (overlayfs in a user namespace needs Linux 5.11, or install fuse-overlayfs)';
  return `mount -t overlay burrow -o ${opts} ${m} 2>/dev/null || fuse-overlayfs -o ${opts} ${m} || { echo "${failed}" >&2; exit 1; }; exec "$@"`;
}

/** Discards what a machine changed on top of its image (persistent storage), or what an ephemeral run left. */
export function discardOverlay(dir: string): void {
  removeMappedTree(dir);
}
