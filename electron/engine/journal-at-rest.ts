// A stopped machine's journal, read from the host: its persistent journal (/var/log/journal in its tree)
// read by the machine's own journalctl (the file format is the guest's: a host with an older systemd may
// not read a newer guest's compact journal files), run in a sandbox whose root is the machine's tree,
// read-only, as root of the machine's id mapping (the journal's files belong to the guest's root and its
// systemd-journal group). An image-based machine's tree is its layers, merged by a read-only overlayfs
// mount in a private mount namespace, as an export reads it. The guest wrote everything here, journalctl
// included: it runs with no capability, no network, nothing of the host but the tree, and what it prints
// is parsed as hostile (machine-queries.ts).
//
// An ephemeral machine's changes are discarded at its stop; its journal is kept first, in the runtime folder
// until its next start (ephemeral-journal.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MachineProfile } from '../contract/profile';
import { DEFAULT_PATH } from '../contract/plain';
import { BurrowError } from './errors';
import { probeHost, type HostFacts } from './host-probe';
import { resolveIdMap } from './launch-plan';
import { mappedPrefix } from './mapped-exec';
import { checkOptionPath, ephemeralOverlayDir, persistentOverlayDir } from './overlay';
import { keptJournalDir } from './ephemeral-journal';

/** The machine's tree at rest: the folders to merge (top first) and a kept journal to show at /var/log/journal. */
export interface TreeAtRest {
  lowers: string[];
  journal?: string;
}

const isDir = (p: string): boolean => {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
};

export function treeAtRest(profile: Pick<MachineProfile, 'name' | 'storage' | 'rootfs'>): TreeAtRest {
  const { name, storage, rootfs } = profile;
  if (storage === 'direct') return { lowers: [rootfs] };
  if (storage === 'ephemeral') {
    const kept = keptJournalDir(name);
    if (isDir(kept)) return { lowers: [rootfs], journal: kept };
    // Its supervisor was killed: the changes were never discarded, and the journal is still in them.
    const upper = path.join(ephemeralOverlayDir(name), 'upper');
    return { lowers: isDir(upper) ? [upper, rootfs] : [rootfs] };
  }
  const upper = path.join(persistentOverlayDir(name), 'upper');
  return { lowers: isDir(upper) ? [upper, rootfs] : [rootfs] };
}

/**
 * The shell step, as root of the mapping in a private mount namespace: merge the layers (when several) at
 * the mount point, then run the sandbox. A FUSE mount is taken down again (a kernel one goes with the namespace).
 */
const SCRIPT = `
mnt=$1 lowers=$2; shift 2
[ -z "$lowers" ] && exec "$@"
mount -t overlay burrow-journal -o "ro,userxattr,lowerdir=$lowers" "$mnt" 2>/dev/null && exec "$@"
fuse-overlayfs -o "lowerdir=$lowers" "$mnt" || {
  echo "burrow: cannot mount the machine's layers (overlayfs in a user namespace needs Linux 5.11, or install fuse-overlayfs)" >&2; exit 1; }
rc=0; "$@" || rc=$?
fusermount3 -u "$mnt" 2>/dev/null || fusermount -u "$mnt"
exit $rc`;

/** argv that runs the machine's journalctl over its tree at rest, with `args` after --directory. */
export function journalAtRestArgv(profile: MachineProfile, tree: TreeAtRest, mountPoint: string, args: string[], host: HostFacts = probeHost()): string[] {
  if (!host.bwrap)
    throw new BurrowError('host-not-ready', 'bubblewrap (bwrap) is not installed', "install it: sudo apt install bubblewrap (or your distribution's package)");
  const { map } = resolveIdMap(profile.idMapping, host, profile.shareUser);
  const merge = tree.lowers.length > 1;
  if (merge) for (const d of tree.lowers) checkOptionPath(d);
  const root = merge ? mountPoint : tree.lowers[0]!;
  const sandbox = [
    host.bwrap.path,
    '--ro-bind',
    root,
    '/',
    ...(tree.journal ? ['--ro-bind', tree.journal, '/var/log/journal'] : []),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--tmpfs',
    '/run',
    '--unshare-pid',
    '--unshare-net',
    '--unshare-ipc',
    '--unshare-uts',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--setenv',
    'PATH',
    DEFAULT_PATH,
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--',
    'journalctl',
    '--directory=/var/log/journal',
    ...args,
  ];
  return [...mappedPrefix(host, map, { mount: true }), '/bin/sh', '-c', SCRIPT, 'burrow-journal', mountPoint, merge ? tree.lowers.join(':') : '', ...sandbox];
}

/** Whether the machine's tree has a journal to read: an answer in words when it has none. */
function missingJournal(profile: MachineProfile, tree: TreeAtRest): string | undefined {
  if (tree.journal) return undefined;
  if (tree.lowers.some((d) => isDir(path.join(d, 'var/log/journal')))) return undefined;
  return `machine "${profile.name}" keeps no persistent journal (its tree has no /var/log/journal), so nothing of its last boot was kept`;
}

export interface JournalRun {
  child: ChildProcess;
  /** Removes the mount point once the run has ended. */
  done: Promise<void>;
}

/** Starts the machine's journalctl over its tree at rest; stdout and stderr as asked (pipes or the caller's). */
export function spawnJournalAtRest(profile: MachineProfile, args: string[], stdio: 'pipe' | 'inherit'): JournalRun {
  const tree = treeAtRest(profile);
  const missing = missingJournal(profile, tree);
  if (missing)
    throw new BurrowError('not-found', missing, 'Debian and most distributions keep one when /var/log/journal exists; the machine makes it at its next boot');
  const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-journal-'));
  let child: ChildProcess;
  try {
    const argv = journalAtRestArgv(profile, tree, mountPoint, args);
    // Its own process group: a timeout ends the sandbox and everything in it.
    child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', stdio, stdio], detached: stdio === 'pipe', env: { PATH: process.env.PATH, LANG: 'C.UTF-8' } });
  } catch (e) {
    fs.rmSync(mountPoint, { recursive: true, force: true });
    throw e;
  }
  const done = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  }).then(() => fs.rmdirSync(mountPoint));
  return { child, done };
}

/** Runs journalctl over the tree at rest and captures its output (bounded in time and size). */
export async function captureJournalAtRest(
  profile: MachineProfile,
  args: string[],
  timeoutMs = 15000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { child, done } = spawnJournalAtRest(profile, args, 'pipe');
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let size = 0;
  const LIMIT = 64 * 1024 * 1024;
  const stop = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* ended */
    }
  };
  child.stdout!.on('data', (d: Buffer) => ((size += d.length) > LIMIT ? stop() : out.push(d)));
  child.stderr!.on('data', (d: Buffer) => err.length < 64 && err.push(d));
  const timer = setTimeout(stop, timeoutMs);
  const code = await new Promise<number>((resolve) => {
    child.once('close', (c) => resolve(c ?? 1));
    child.once('error', () => resolve(127));
  });
  clearTimeout(timer);
  await done;
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** Prints the machine's journal at rest to this process's stdout (the CLI); resolves with journalctl's status. */
export function printJournalAtRest(profile: MachineProfile, args: string[]): Promise<number> {
  const { child, done } = spawnJournalAtRest(profile, args, 'inherit');
  return new Promise((resolve) => {
    child.once('error', () => void done.then(() => resolve(127)));
    child.once('close', (code) => void done.then(() => resolve(code ?? 1)));
  });
}
