// The archive step of an export: GNU tar as root of the machine's id map in a private mount namespace (the
// machine's layers merged by a read-only overlayfs mount when there are several), optionally piped into a
// compressor, written to an already-open partial file. tar and the compressor die with us (setpriv
// --pdeathsig), so a killed export cannot go on writing a file the next command removes.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BurrowError } from './errors';
import { canMapAuto, probeHost } from './host-probe';
import type { IdMap } from './idmap';
import { mappedPrefix } from './mapped-exec';
import { checkOptionPath } from './overlay';
import { lifecycleCancelled, type CopyOptions } from './tree-copy';
import { which } from './which';

export const MANIFEST_NAME = '.burrow-machine.json';
export type ExportCompression = 'none' | 'zstd' | 'xz' | 'gzip';

export interface ExportProgress {
  phase: string;
  bytes: number;
  totalBytes: number;
  entries: number;
}

/** The tree to archive: one folder, or overlay lower folders (top first) to merge. */
export interface TreeSource {
  dirs: string[];
  /** The machine's changes on top of it, copied while a running machine was frozen. */
  live?: string;
  /** Hold the freeze for the whole archive (a running direct machine). */
  frozenThroughout?: boolean;
  /** The machine's id map: the archive records owners as the guest sees them. */
  map: IdMap;
}

/** Compressors as pipes, on every core where they can. */
const COMPRESSORS: Record<Exclude<ExportCompression, 'none'>, { program: string; args: string[]; pkg: string }> = {
  zstd: { program: 'zstd', args: ['-T0', '-q', '-c'], pkg: 'zstd' },
  xz: { program: 'xz', args: ['-T0', '-c'], pkg: 'xz-utils' },
  gzip: { program: 'gzip', args: ['-c'], pkg: 'gzip' },
};

/** The shell step run as root of the mapping in a private mount namespace: merge the layers (if several), then tar. */
const TAR_SCRIPT = `
meta=$1 tree=$2 mnt=$3 lowers=$4 settings=$5; shift 5
# The settings are root's in the archive, as its tree is (they were written as you, who may be another guest user).
[ "$settings" = 1 ] && chown 0:0 "$meta/${MANIFEST_NAME}"
fuse=
if [ -n "$lowers" ]; then
  if mount -t overlay burrow-export -o "ro,userxattr,lowerdir=$lowers" "$mnt" 2>/dev/null; then tree=$mnt
  elif fuse-overlayfs -o "lowerdir=$lowers" "$mnt"; then tree=$mnt fuse=1
  else echo "burrow: cannot mount the machine's layers (overlayfs in a user namespace needs Linux 5.11, or install fuse-overlayfs)" >&2; exit 1; fi
fi
set -- tar --numeric-owner --xattrs --xattrs-include=security.capability --xattrs-include='user.*' --xattrs-exclude='user.overlay.*' \\
  --checkpoint=200 --checkpoint-action=echo=%T -c -f -
[ "$settings" = 1 ] && set -- "$@" -C "$meta" ./${MANIFEST_NAME}
set -- "$@" -C "$tree" .
[ -z "$fuse" ] && exec "$@"
rc=0; "$@" || rc=$?
fusermount3 -u "$mnt" 2>/dev/null || fusermount -u "$mnt"
exit $rc`;

function spawnTar(scratch: string, tree: string, lowers: string[], map: IdMap, settings: boolean, stdout: number | 'pipe'): ChildProcess {
  const host = probeHost();
  if (!canMapAuto(host))
    throw new BurrowError(
      'host-not-ready',
      'an export keeps the owners the guest sees only under your subordinate-id mapping, which cannot be set up here',
      'see: burrow doctor',
    );
  for (const d of lowers) checkOptionPath(d);
  const mnt = path.join(scratch, 'merged');
  fs.mkdirSync(mnt);
  // setpriv: tar dies with us (a killed export must not go on writing a file the next command removes).
  const pdeath = which('setpriv') ? ['setpriv', '--pdeathsig', 'KILL', '--'] : [];
  // Set again inside: entering a namespace whose root is another host id clears it.
  const argv = [
    ...pdeath,
    ...mappedPrefix(host, map, { mount: true }),
    ...pdeath,
    '/bin/sh',
    '-c',
    TAR_SCRIPT,
    'burrow-export',
    scratch,
    tree,
    mnt,
    lowers.join(':'),
    settings ? '1' : '0',
  ];
  // LC_ALL=C: a full disk is recognised by tar's and the compressor's English wording.
  return spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', stdout, 'pipe'], detached: true, env: { ...process.env, LC_ALL: 'C' } });
}

/** The compressor's command line; refused before anything is made when the program is missing. */
export function compressorArgv(compression: Exclude<ExportCompression, 'none'>): string[] {
  const c = COMPRESSORS[compression];
  const program = which(c.program);
  if (!program)
    throw new BurrowError(
      'host-not-ready',
      `${c.program} is not installed, and ${compression} compression needs it`,
      `install it (sudo apt install ${c.pkg}), or export to a plain .tar`,
    );
  return [...(which('setpriv') ? ['setpriv', '--pdeathsig', 'KILL', '--'] : []), program, ...c.args];
}

function spawnCompressor(compression: Exclude<ExportCompression, 'none'>, input: NodeJS.ReadableStream, fd: number): ChildProcess {
  const argv = compressorArgv(compression);
  return spawn(argv[0]!, argv.slice(1), { stdio: [input as unknown as 'pipe', fd, 'pipe'], detached: true, env: { ...process.env, LC_ALL: 'C' } });
}

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('close', (code) => resolve(code))));

export function exportError(tarErr: string, tarCode: number | null, compErr: string, compCode: number | null): BurrowError | undefined {
  const all = `${tarErr}\n${compErr}`;
  if (/No space left on device|Disk quota exceeded|Wrote only/.test(all))
    return new BurrowError(
      'no-space',
      'not enough disk space for the export (No space left on device); nothing was kept',
      'free some space, or export to another disk',
    );
  const lines = tarErr.split('\n').filter((l) => l.trim() && !/socket ignored|Exiting with failure status/.test(l));
  if (tarCode !== 0 || lines.length)
    return new BurrowError(
      'internal',
      `the export failed: ${(lines.slice(0, 2).join('; ') || `tar exited ${tarCode}`).replace(/tar: /g, '')}; nothing was kept`,
    );
  if (compCode !== 0)
    return new BurrowError('internal', `the export failed: ${compErr.trim().split('\n')[0] || `the compressor exited ${compCode}`}; nothing was kept`);
  return undefined;
}

/**
 * Writes the archive of `tree` (merged from `lowers` when given) to `partial`; its first entry is the
 * machine's settings (scratch/MANIFEST_NAME) unless `settings` is false (the layer of an OCI export).
 */
export async function writeArchive(
  scratch: string,
  tree: TreeSource,
  partial: string,
  compression: ExportCompression,
  totalBytes: number,
  opts: CopyOptions & { onExport?: (p: ExportProgress) => void; settings?: boolean },
): Promise<number> {
  const lowers = [...(tree.live ? [tree.live] : []), ...tree.dirs];
  const fd = fs.openSync(partial, 'wx', 0o600);
  try {
    const single = lowers.length > 1 ? '' : lowers[0]!;
    const tar = spawnTar(scratch, single, lowers.length > 1 ? lowers : [], tree.map, opts.settings !== false, compression === 'none' ? fd : 'pipe');
    const comp = compression === 'none' ? undefined : spawnCompressor(compression, tar.stdout!, fd);
    // The compressor holds the pipe now; our end would keep tar's 'close' from ever coming.
    tar.stdout?.destroy();
    let tarErr = '';
    let compErr = '';
    let last = 0;
    let pending = '';
    tar.stderr!.on('data', (d: Buffer) => {
      const lines = (pending + d.toString()).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        // Checkpoint lines ("tar: W: 2037760 (2.0MiB, 338MiB/s)") are progress, not complaints.
        const checkpoint = /^tar: W: (\d+) /.exec(line);
        if (!checkpoint) tarErr = (tarErr + line + '\n').slice(-8192);
        else if (Date.now() - last >= 100) {
          last = Date.now();
          opts.onExport?.({ phase: 'writing the archive', bytes: Number(checkpoint[1]), totalBytes, entries: 0 });
        }
      }
    });
    comp?.stderr!.on('data', (d: Buffer) => (compErr = (compErr + d.toString()).slice(-4096)));
    const abort = () => {
      for (const c of [tar, comp]) {
        try {
          if (c?.pid) process.kill(-c.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    };
    opts.signal?.addEventListener('abort', abort, { once: true });
    const [tarCode, compCode] = await Promise.all([exited(tar), comp ? exited(comp) : Promise.resolve(0)]);
    opts.signal?.removeEventListener('abort', abort);
    if (opts.signal?.aborted) throw lifecycleCancelled('export');
    const failure = exportError(tarErr + pending, tarCode, compErr, compCode);
    if (failure) throw failure;
    fs.fsyncSync(fd);
    return fs.fstatSync(fd).size;
  } finally {
    fs.closeSync(fd);
  }
}
