// `burrow export NAME[@SNAPSHOT] FILE`: the machine's whole tree as one tarball (.tar, .tar.zst, .tar.xz,
// .tar.gz by the name) that `burrow image import` unpacks on another computer with the same owners as the
// guest sees them: GNU tar runs as root of the user's mapping with --numeric-owner, so the archive holds
// the guest's own ids (0, 33 for www-data…), never this host's subordinate ids; modes, xattrs and file
// capabilities are kept. Its first entry, ./.burrow-machine.json, is the machine's profile (one file to
// move; the import takes it out of the tree again). An overlay machine's tree is its layers merged by a
// read-only overlayfs mount in a private mount namespace; a running machine is frozen while its upper
// layer is copied (a direct one for the whole export). The archive is written beside FILE under a partial
// name and linked into place when complete; a run killed halfway has it removed by the next command.
// With --oci the same tree, without the settings entry, becomes the one layer of an OCI image (export-oci.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MachineProfile } from '../contract/profile';
import { BurrowError } from './errors';
import { withFrozen } from './freeze';
import { probeHost } from './host-probe';
import { resolveIdMap } from './launch-plan';
import { chainOf } from './layer-stack';
import { activity, stagingFolder, withJob, withMachineClaim } from './lifecycle-common';
import { removeMappedTree } from './mapped-exec';
import { ephemeralOverlayDir } from './overlay';
import { dataDir } from './paths';
import { loadProfile } from './profiles';
import { loadImage } from './image-store';
import { layerDir, loadStack, upperDir } from './snapshot-store';
import { parseMachineRef, type MachineRef } from './snapshot-ref';
import { checkSnapshotFits, snapshotOf } from './snapshots';
import { checkSpace, copyTree, lifecycleCancelled, type CopyOptions } from './tree-copy';
import { compressorArgv, MANIFEST_NAME, writeArchive, type ExportCompression, type ExportProgress, type TreeSource } from './export-archive';
import { jobTag, PARTIAL_MARK, type Job } from './work-journal';
import { ociReference, writeOciArchive } from './export-oci';

export { MANIFEST_NAME, type ExportCompression, type ExportProgress } from './export-archive';
import { EXPORT_FORMAT } from '../contract/export-manifest';

export { EXPORT_FORMAT };

const SUFFIXES: [RegExp, ExportCompression][] = [
  [/\.tar$/, 'none'],
  [/\.(tar\.zst|tzst)$/, 'zstd'],
  [/\.(tar\.xz|txz)$/, 'xz'],
  [/\.(tar\.gz|tgz)$/, 'gzip'],
];

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

export interface ExportResult {
  file: string;
  from: MachineRef;
  bytes: number;
  compression: ExportCompression;
  /** An OCI export's image reference (podman load and docker load tag it so). */
  ociReference?: string;
  frozenMs?: number;
  ms: number;
}

export type ExportOptions = CopyOptions & { onExport?: (p: ExportProgress) => void; oci?: boolean };

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

function treeOf(profile: MachineProfile, ref: MachineRef, state: 'stopped' | 'running'): Omit<TreeSource, 'map'> {
  const name = profile.name;
  if (ref.snapshot !== undefined) {
    const { stack, snapshot } = snapshotOf(name, ref.snapshot);
    checkSnapshotFits(profile, stack, snapshot);
    if (profile.storage === 'direct') return { dirs: [layerDir(name, snapshot.layer)] };
    return {
      dirs: [
        ...chainOf(stack, snapshot.layer)
          .reverse()
          .map((id) => layerDir(name, id)),
        profile.rootfs,
      ],
    };
  }
  if (profile.storage === 'direct') return { dirs: [profile.rootfs], frozenThroughout: state === 'running' };
  if (profile.storage === 'ephemeral') return { dirs: [profile.rootfs], live: state === 'running' ? path.join(ephemeralOverlayDir(name), 'upper') : undefined };
  const stack = loadStack(name);
  const layers = chainOf(stack, stack.base)
    .reverse()
    .map((id) => layerDir(name, id));
  const upper = upperDir(name);
  const hasUpper = fs.existsSync(upper);
  return { dirs: [...(hasUpper && state === 'stopped' ? [upper] : []), ...layers, profile.rootfs], live: hasUpper && state === 'running' ? upper : undefined };
}

export async function exportMachine(sourceRef: string, file: string, opts: ExportOptions = {}): Promise<ExportResult> {
  const ref = parseMachineRef(sourceRef);
  const profile = loadProfile(ref.machine);
  const target = checkTarget(file);
  const compression = compressionFor(target);
  if (opts.oci && compression !== 'none')
    throw new BurrowError('invalid-input', `an OCI export is a plain tar, and ${path.basename(target)} names a compressed one`, 'end the name in .tar');
  if (compression !== 'none') compressorArgv(compression);
  return withMachineClaim([ref.machine], 'exported', async () => {
    const started = Date.now();
    const state = ref.snapshot === undefined ? activity(ref.machine, 'export') : 'stopped';
    // The archive holds the owners the guest sees: tar runs under the machine's own map.
    const tree: TreeSource = { ...treeOf(profile, ref, state), map: resolveIdMap(profile.idMapping, probeHost(), profile.shareUser).map };
    // An estimate for progress and the space check: the image's archive size (its record has it). Measuring
    // the machine's own layers as well would cost a du run, a tenth of a small export.
    const totalBytes = (profile.image ? safeImageBytes(profile.image) : undefined) ?? 0;
    if (compression === 'none' && totalBytes) checkSpace(path.dirname(target), totalBytes, 'the archive');
    const manifest: ExportManifest = {
      burrowExport: EXPORT_FORMAT,
      machine: ref.machine,
      ...(ref.snapshot ? { snapshot: ref.snapshot } : {}),
      exportedAt: new Date().toISOString(),
      profile,
    };
    let frozenMs: number | undefined;
    const bytes = await withJob(async (job) => {
      const scratch = stagingFolder(job, path.dirname(target), `${path.basename(target)}-work`);
      fs.writeFileSync(path.join(scratch, MANIFEST_NAME), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
      const partial = path.join(path.dirname(target), `.${path.basename(target)}${PARTIAL_MARK}${jobTag()}`);
      job.add({ remove: partial });
      const write = (t: TreeSource) =>
        opts.oci
          ? writeOci(scratch, t, partial, { machine: ref.machine, snapshot: ref.snapshot, profile, created: manifest.exportedAt }, totalBytes, opts)
          : writeArchive(scratch, t, partial, compression, totalBytes, opts);
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
        if ((e as NodeJS.ErrnoException).code === 'EEXIST')
          throw new BurrowError('exists', `${target} appeared while the export ran`, 'choose another file name; nothing was kept');
        throw e;
      }
      fs.rmSync(partial);
      return written;
    });
    const oci = opts.oci ? { ociReference: ociReference(ref.machine, ref.snapshot) } : {};
    return { file: target, from: ref, bytes, compression, ...oci, frozenMs, ms: Date.now() - started };
  });
}

/** An OCI export: the tree as a layer tar in the scratch folder (no settings entry), then the image layout around it. */
async function writeOci(
  scratch: string,
  tree: TreeSource,
  partial: string,
  facts: Parameters<typeof writeOciArchive>[2],
  totalBytes: number,
  opts: ExportOptions,
): Promise<number> {
  const layer = path.join(scratch, 'layer.tar');
  await writeArchive(scratch, tree, layer, 'none', totalBytes, { ...opts, settings: false });
  opts.onExport?.({ phase: 'writing the image', bytes: 0, totalBytes, entries: 0 });
  const fd = fs.openSync(partial, 'wx', 0o600);
  try {
    const bytes = await writeOciArchive(scratch, layer, facts, fd, opts.signal);
    if (opts.signal?.aborted) throw lifecycleCancelled('export');
    fs.fsyncSync(fd);
    return bytes;
  } finally {
    fs.closeSync(fd);
  }
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
