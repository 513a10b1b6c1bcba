// `burrow export NAME[@SNAPSHOT] FILE`: the machine's whole tree as one tarball (.tar, .tar.zst, .tar.xz,
// .tar.gz by the name) that `burrow image import` unpacks on another computer with the same owners as the
// guest sees them: GNU tar runs as root of the user's mapping with --numeric-owner, so the archive holds
// the guest's own ids (0, 33 for www-data…), never this host's subordinate ids; modes, xattrs and file
// capabilities are kept. Its first entry, ./.burrow-machine.json, is the machine's profile (one file to
// move; the import takes it out of the tree again). An overlay machine's tree is its layers merged by a
// read-only overlayfs mount in a private mount namespace; a running machine is frozen while its upper
// layer is copied (a direct one for the whole export). The archive is written beside FILE under a partial
// name and linked into place when complete; a run killed halfway has it removed by the next command.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MachineProfile } from '../contract/profile';
import { BurrowError } from './errors';
import { withFrozen } from './freeze';
import { canMapAuto, probeHost } from './host-probe';
import { chainOf } from './layer-stack';
import { activity, stagingFolder, withJob, withMachineClaim } from './lifecycle-common';
import { removeMappedTree } from './mapped-exec';
import { checkOptionPath, ephemeralOverlayDir } from './overlay';
import { dataDir } from './paths';
import { loadProfile } from './profiles';
import { loadImage } from './image-store';
import { layerDir, loadStack, upperDir } from './snapshot-store';
import { parseMachineRef, type MachineRef } from './snapshot-ref';
import { checkSnapshotFits, snapshotOf } from './snapshots';
import { checkSpace, copyTree, lifecycleCancelled, type CopyOptions } from './tree-copy';
import { which } from './which';
import { jobTag, PARTIAL_MARK, type Job } from './work-journal';

export const MANIFEST_NAME = '.burrow-machine.json';
export const EXPORT_FORMAT = 1;

export type ExportCompression = 'none' | 'zstd' | 'xz' | 'gzip';
const SUFFIXES: [RegExp, ExportCompression][] = [
  [/\.tar$/, 'none'],
  [/\.(tar\.zst|tzst)$/, 'zstd'],
  [/\.(tar\.xz|txz)$/, 'xz'],
  [/\.(tar\.gz|tgz)$/, 'gzip'],
];
/** Compressors as pipes, on every core where they can. */
const COMPRESSORS: Record<Exclude<ExportCompression, 'none'>, { program: string; args: string[]; pkg: string }> = {
  zstd: { program: 'zstd', args: ['-T0', '-q', '-c'], pkg: 'zstd' },
  xz: { program: 'xz', args: ['-T0', '-c'], pkg: 'xz-utils' },
  gzip: { program: 'gzip', args: ['-c'], pkg: 'gzip' },
};

export function compressionFor(file: string): ExportCompression {
  const hit = SUFFIXES.find(([re]) => re.test(file));
  if (!hit) throw new BurrowError('invalid-input', `cannot tell the format of ${file} from its name`, 'end it in .tar, .tar.zst or .tar.xz (or .tar.gz)');
  return hit[1];
}

export interface ExportManifest {
  burrowExport: number;
  machine: string;
  snapshot?: string;
  exportedAt: string;
  profile: MachineProfile;
}

export interface ExportProgress {
  phase: string;
  bytes: number;
  totalBytes: number;
  entries: number;
}

export interface ExportResult {
  file: string;
  from: MachineRef;
  bytes: number;
  compression: ExportCompression;
  frozenMs?: number;
  ms: number;
}

/** Checks where the archive goes before anything is made: the folder exists and FILE does not. */
function checkTarget(file: string): string {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new BurrowError('not-found', `the folder ${dir} does not exist`, `create it first (mkdir -p ${dir}), or export somewhere else`);
  }
  if (!st.isDirectory()) throw new BurrowError('invalid-input', `${dir} is not a folder`);
  if (fs.existsSync(target)) throw new BurrowError('exists', `${target} already exists`, 'choose another file name, or remove that file first');
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new BurrowError('invalid-input', `the folder ${dir} is not writable by you`, 'export somewhere you can write');
  }
  return target;
}

/** The tree to archive: one folder, or overlay lower folders (top first) to merge. */
interface TreeSource {
  dirs: string[];
  /** The machine's changes on top of it, copied while a running machine was frozen. */
  live?: string;
  /** Hold the freeze for the whole archive (a running direct machine). */
  frozenThroughout?: boolean;
}

function treeOf(profile: MachineProfile, ref: MachineRef, state: 'stopped' | 'running'): TreeSource {
  const name = profile.name;
  if (ref.snapshot !== undefined) {
    const { stack, snapshot } = snapshotOf(name, ref.snapshot);
    checkSnapshotFits(profile, stack, snapshot);
    if (profile.storage === 'direct') return { dirs: [layerDir(name, snapshot.layer)] };
    return { dirs: [...chainOf(stack, snapshot.layer).reverse().map((id) => layerDir(name, id)), profile.rootfs] };
  }
  if (profile.storage === 'direct') return { dirs: [profile.rootfs], frozenThroughout: state === 'running' };
  if (profile.storage === 'ephemeral') return { dirs: [profile.rootfs], live: state === 'running' ? path.join(ephemeralOverlayDir(name), 'upper') : undefined };
  const stack = loadStack(name);
  const layers = chainOf(stack, stack.base).reverse().map((id) => layerDir(name, id));
  const upper = upperDir(name);
  const hasUpper = fs.existsSync(upper);
  return { dirs: [...(hasUpper && state === 'stopped' ? [upper] : []), ...layers, profile.rootfs], live: hasUpper && state === 'running' ? upper : undefined };
}

/** The shell step run as root of the mapping in a private mount namespace: merge the layers (if several), then tar. */
const TAR_SCRIPT = `
meta=$1 tree=$2 mnt=$3 lowers=$4; shift 4
fuse=
if [ -n "$lowers" ]; then
  if mount -t overlay burrow-export -o "ro,userxattr,lowerdir=$lowers" "$mnt" 2>/dev/null; then tree=$mnt
  elif fuse-overlayfs -o "lowerdir=$lowers" "$mnt"; then tree=$mnt fuse=1
  else echo "burrow: cannot mount the machine's layers (overlayfs in a user namespace needs Linux 5.11, or install fuse-overlayfs)" >&2; exit 1; fi
fi
set -- tar --numeric-owner --xattrs --xattrs-include=security.capability --xattrs-include='user.*' --xattrs-exclude='user.overlay.*' \\
  --checkpoint=200 --checkpoint-action=echo=%T -c -f - -C "$meta" ./${MANIFEST_NAME} -C "$tree" .
[ -z "$fuse" ] && exec "$@"
rc=0; "$@" || rc=$?
fusermount3 -u "$mnt" 2>/dev/null || fusermount -u "$mnt"
exit $rc`;

function spawnTar(scratch: string, tree: string, lowers: string[], stdout: number | 'pipe'): ChildProcess {
  const host = probeHost();
  if (!canMapAuto(host)) throw new BurrowError('host-not-ready', 'an export keeps the owners the guest sees only under your subordinate-id mapping, which cannot be set up here', 'see: burrow doctor');
  for (const d of lowers) checkOptionPath(d);
  const mnt = path.join(scratch, 'merged');
  fs.mkdirSync(mnt);
  // setpriv: tar dies with us (a killed export must not go on writing a file the next command removes).
  const pdeath = which('setpriv') ? ['setpriv', '--pdeathsig', 'KILL', '--'] : [];
  const argv = [...pdeath, host.unshare!.path, '--user', '--map-auto', '--map-root-user', '--mount', '--', '/bin/sh', '-c', TAR_SCRIPT, 'burrow-export', scratch, tree, mnt, lowers.join(':')];
  return spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', stdout, 'pipe'], detached: true });
}

/** The compressor's command line; refused before anything is made when the program is missing. */
function compressorArgv(compression: Exclude<ExportCompression, 'none'>): string[] {
  const c = COMPRESSORS[compression];
  const program = which(c.program);
  if (!program) throw new BurrowError('host-not-ready', `${c.program} is not installed, and ${compression} compression needs it`, `install it (sudo apt install ${c.pkg}), or export to a plain .tar`);
  return [...(which('setpriv') ? ['setpriv', '--pdeathsig', 'KILL', '--'] : []), program, ...c.args];
}

function spawnCompressor(compression: Exclude<ExportCompression, 'none'>, input: NodeJS.ReadableStream, fd: number): ChildProcess {
  const argv = compressorArgv(compression);
  return spawn(argv[0]!, argv.slice(1), { stdio: [input as unknown as 'pipe', fd, 'pipe'], detached: true });
}

const exited = (child: ChildProcess): Promise<number | null> => new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('close', (code) => resolve(code))));

function exportError(tarErr: string, tarCode: number | null, compErr: string, compCode: number | null): BurrowError | undefined {
  const all = `${tarErr}\n${compErr}`;
  if (/No space left on device|Disk quota exceeded|Wrote only/.test(all)) return new BurrowError('no-space', 'not enough disk space for the export (No space left on device); nothing was kept', 'free some space, or export to another disk');
  const lines = tarErr.split('\n').filter((l) => l.trim() && !/socket ignored|Exiting with failure status/.test(l));
  if (tarCode !== 0 || lines.length) return new BurrowError('internal', `the export failed: ${(lines.slice(0, 2).join('; ') || `tar exited ${tarCode}`).replace(/tar: /g, '')}; nothing was kept`);
  if (compCode !== 0) return new BurrowError('internal', `the export failed: ${compErr.trim().split('\n')[0] || `the compressor exited ${compCode}`}; nothing was kept`);
  return undefined;
}

/** Writes the archive of `tree` (merged from `lowers` when given) to `partial`. */
async function writeArchive(scratch: string, tree: TreeSource, partial: string, compression: ExportCompression, totalBytes: number, opts: CopyOptions & { onExport?: (p: ExportProgress) => void }): Promise<number> {
  const lowers = [...(tree.live ? [tree.live] : []), ...tree.dirs];
  const fd = fs.openSync(partial, 'wx', 0o600);
  try {
    const tar = spawnTar(scratch, lowers.length > 1 ? '' : lowers[0]!, lowers.length > 1 ? lowers : [], compression === 'none' ? fd : 'pipe');
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

export async function exportMachine(sourceRef: string, file: string, opts: CopyOptions & { onExport?: (p: ExportProgress) => void } = {}): Promise<ExportResult> {
  const ref = parseMachineRef(sourceRef);
  const profile = loadProfile(ref.machine);
  const target = checkTarget(file);
  const compression = compressionFor(target);
  if (compression !== 'none') compressorArgv(compression);
  return withMachineClaim([ref.machine], 'exported', async () => {
    const started = Date.now();
    const state = ref.snapshot === undefined ? activity(ref.machine, 'export') : 'stopped';
    const tree = treeOf(profile, ref, state);
    // An estimate for progress and the space check: the image's archive size (its record has it). Measuring
    // the machine's own layers as well would cost a du run, a tenth of a small export.
    const totalBytes = (profile.image ? safeImageBytes(profile.image) : undefined) ?? 0;
    if (compression === 'none' && totalBytes) checkSpace(path.dirname(target), totalBytes, 'the archive');
    const manifest: ExportManifest = { burrowExport: EXPORT_FORMAT, machine: ref.machine, ...(ref.snapshot ? { snapshot: ref.snapshot } : {}), exportedAt: new Date().toISOString(), profile };
    let frozenMs: number | undefined;
    const bytes = await withJob(async (job) => {
      const scratch = stagingFolder(job, path.dirname(target), `${path.basename(target)}-work`);
      fs.writeFileSync(path.join(scratch, MANIFEST_NAME), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
      const partial = path.join(path.dirname(target), `.${path.basename(target)}${PARTIAL_MARK}${jobTag()}`);
      job.add({ remove: partial });
      const write = (t: TreeSource) => writeArchive(scratch, t, partial, compression, totalBytes, opts);
      let written: number;
      const made = [scratch];
      if (tree.frozenThroughout) ({ result: written, frozenMs } = await withFrozen(ref.machine, 'export', () => write(tree)));
      else if (tree.live) {
        const copy = await captureUpper(job, ref.machine, tree.live, opts);
        made.push(copy.dir);
        frozenMs = copy.frozenMs;
        written = await write({ ...tree, live: copy.dir });
      } else written = await write(tree);
      for (const dir of made) removeMappedTree(dir);
      try {
        fs.linkSync(partial, target); // never over a file that appeared meanwhile
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new BurrowError('exists', `${target} appeared while the export ran`, 'choose another file name; nothing was kept');
        throw e;
      }
      fs.rmSync(partial);
      return written;
    });
    return { file: target, from: ref, bytes, compression, frozenMs, ms: Date.now() - started };
  });
}

function safeImageBytes(image: string): number | undefined {
  try {
    return loadImage(image).bytes;
  } catch {
    return undefined;
  }
}

/** A running machine's upper layer, copied with its processes frozen, into the data folder (journaled). */
async function captureUpper(job: Job, machine: string, upper: string, opts: CopyOptions): Promise<{ dir: string; frozenMs: number }> {
  const dir = stagingFolder(job, path.join(dataDir(), 'overlays'), `${machine}-capture`);
  const { frozenMs } = await withFrozen(machine, 'export', () => copyTree(upper, dir, { ...opts, phase: 'copying its changes' }));
  return { dir, frozenMs };
}
