// Imports an image into the store: a rootfs tarball, a rootfs folder (in place or copied), an OCI layout,
// an oci-archive or a docker save archive. Unpacked as root of the map its machines get (root a subordinate
// id, uid 1000 you) so files keep the owners the guest sees, checked before it is kept, and renamed into
// place only when complete.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readChecked, type ArchiveFile } from './archive-files';
import { BurrowError } from './errors';
import { detectSource, dockerSaveLayers, ociLayers, type Compression, type Layer } from './image-formats';
import { beginImage, type ImageRecord, type Staging } from './image-store';
import type { GuestIds, IdMap } from './idmap';
import { resolveIdMap } from './launch-plan';
import { removeMappedTree, SANDBOX_TARGET, spawnSandboxed } from './mapped-exec';
import { probeHost } from './host-probe';
import { validateRootfs, type RootfsInfo } from './rootfs';
import { layoutIdMap } from './share-user';
import { cancelled, extractInto, type ExtractCounters } from './tar-extract';
import { applyWhiteouts } from './whiteouts';

export interface ImportProgress {
  phase: string;
  bytes: number;
  /** 0 where the total is not known in advance (a folder being copied). */
  totalBytes: number;
  entries: number;
}

export interface ImportOptions {
  /** A folder source: copy it into the store (default: use it where it is). */
  copy?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /**
   * The guest user whose files become yours (an export's share user; default uid and gid 1000): the image
   * is unpacked under the map its machines get, so they need no other (idmap.ts).
   */
  user?: GuestIds;
}

export const DEFAULT_IMAGE_USER: GuestIds = { uid: 1000, gid: 1000 };

/** The map an image is unpacked under: root is a subordinate id, `user` is you. */
export const imageIdMap = (user: GuestIds = DEFAULT_IMAGE_USER): IdMap => resolveIdMap('auto', probeHost(), user).map;

/**
 * How a finished tree's files are owned: `user` for one unpacked by Burrow since shares (or by mmdebstrap
 * --mode=unshare), none for one whose root files are yours (made before, or by hand with unshare -r).
 */
function layoutOf(rootfs: string, user: GuestIds): { user?: GuestIds; map: IdMap } {
  const { map, layout } = layoutIdMap(rootfs, probeHost(), user);
  return layout === 'user' ? { user, map } : { map };
}

const MARGIN_BYTES = 16 * 1024 ** 2;
/** Compressed archives rarely expand more than this; a guess, used only to refuse early. */
const EXPANSION: Record<string, number> = { none: 1, gzip: 3, xz: 4, zstd: 4, bzip2: 4 };

function gzipSize(file: ArchiveFile): number {
  // The last 4 bytes of a gzip member: the uncompressed size modulo 4 GiB (of the last member only: a
  // bomb can lie here, and then meets the full disk while unpacking, with the same answer).
  const b = readChecked(file, Math.max(0, file.size - 4), 4);
  const isize = b.length === 4 ? b.readUInt32LE(0) : 0;
  return isize > file.size ? isize : file.size * EXPANSION.gzip!;
}

function expandedEstimate(files: { file: ArchiveFile; compression: Compression }[]): number {
  return files.reduce((sum, f) => sum + (f.compression === 'gzip' ? gzipSize(f.file) : f.file.size * (EXPANSION[f.compression] ?? 3)), 0);
}

/** Refuses an import that cannot fit, before anything is written. */
export function checkFreeSpace(dir: string, needed: number): void {
  const st = fs.statfsSync(dir);
  const free = st.bavail * st.bsize;
  if (free < needed + MARGIN_BYTES) {
    const mb = (n: number) => `${Math.ceil(n / 1024 ** 2)} MiB`;
    throw new BurrowError(
      'no-space',
      `not enough disk space: the image needs about ${mb(needed)}, and ${mb(free)} is free in ${dir}`,
      'free some space, or set XDG_DATA_HOME to a bigger disk; nothing was written',
    );
  }
}

/**
 * Copies a folder into the image: read by tar as its own guest sees it (under the map its owners say it
 * was made with), written under the image's. A folder made with root as you (before shares, or by hand)
 * so comes out owned the new way. One whose owners fit neither map is copied as it is (the tree map).
 */
async function copyFolder(staging: Staging, source: string, counters: ExtractCounters, map: IdMap, opts: ImportOptions): Promise<void> {
  const { layout, map: readAs } = layoutIdMap(source, probeHost(), opts.user);
  const [reader, writer] = [
    spawnSandboxed(source, ['tar', '-C', SANDBOX_TARGET, '--exclude=./dev/*', '-cf', '-', '.'], [], { writable: false, map: layout ? readAs : undefined }),
    spawnSandboxed(staging.rootfs, ['tar', '-x', '-v', '-p', '--numeric-owner', '--same-owner', '-f', '-', '-C', SANDBOX_TARGET], [], {
      map: layout ? map : undefined,
    }),
  ];
  reader.stdin!.end();
  reader.stdout!.pipe(writer.stdin!);
  writer.stdin!.on('error', () => undefined); // the writer failed: its own message says why
  let err = '';
  writer.stdout!.on('data', (d: Buffer) => {
    counters.entries += d.toString().split('\n').length - 1;
    opts.onProgress?.({ phase: 'copying', bytes: 0, totalBytes: 0, entries: counters.entries });
  });
  for (const c of [reader, writer]) c.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8192)));
  const abort = () => {
    for (const c of [reader, writer]) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  opts.signal?.addEventListener('abort', abort, { once: true });
  const closed = (c: typeof reader) => new Promise<number | null>((resolve) => c.on('close', resolve));
  const codes = await Promise.all([closed(reader), closed(writer)]);
  opts.signal?.removeEventListener('abort', abort);
  if (opts.signal?.aborted) throw cancelled();
  if (codes.some((c) => c !== 0))
    throw new BurrowError(
      /No space left/.test(err) ? 'no-space' : 'import-failed',
      `copying ${source} failed: ${err.trim().split('\n').slice(0, 2).join('; ')}`,
      'nothing was kept',
    );
}

async function runSandboxed(target: string, command: string[], map: IdMap): Promise<void> {
  const child = spawnSandboxed(target, command, [], { map });
  child.stdin!.end();
  child.stdout!.resume();
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0)
    throw new BurrowError('import-failed', `${command.join(' ')} failed in the new image: ${err.trim().split('\n')[0] ?? `exit ${code}`}`, 'nothing was kept');
}

/** Validates a finished tree; errors name what the user gave (`label`), not the temporary folder. */
function validated(rootfs: string, label: string, map: IdMap): RootfsInfo {
  try {
    return validateRootfs(rootfs, map);
  } catch (e) {
    if (e instanceof BurrowError)
      throw new BurrowError(e.code, e.message.replace(`rootfs ${rootfs}`, label) + (e.code === 'rootfs-invalid' ? '; nothing was kept' : ''), e.fix);
    throw e;
  }
}

export interface BuildContext {
  staging: Staging;
  /** The map to unpack under (the image's: see ImportOptions.user). */
  map: IdMap;
  counters: ExtractCounters;
  setPhase(phase: string, totalBytes?: number): void;
  tick(): void;
}

/**
 * The frame of every import: a staging folder, progress, the check of the finished tree, the rename into
 * place, and on any failure or cancel the removal of everything made.
 */
export async function buildImage(
  name: string,
  label: string,
  opts: ImportOptions,
  work: (ctx: BuildContext) => Promise<ImageRecord['source']>,
): Promise<ImageRecord> {
  const staging = beginImage(name);
  const counters: ExtractCounters = { bytes: 0, entries: 0 };
  let phase = 'starting';
  let totalBytes = 0;
  let last = 0;
  const report = () => opts.onProgress?.({ phase, bytes: counters.bytes, totalBytes, entries: counters.entries });
  const user = opts.user ?? DEFAULT_IMAGE_USER;
  const ctx: BuildContext = {
    staging,
    map: imageIdMap(user),
    counters,
    setPhase(p, total) {
      phase = p;
      if (total !== undefined) totalBytes = total;
      report();
    },
    tick() {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      report();
    },
  };
  try {
    const source = await work(ctx);
    ctx.setPhase('checking');
    // The image's / is root's, also where the archive has no entry for it (Burrow made the folder as you).
    if (source.kind !== 'folder') await runSandboxed(staging.rootfs, ['chown', '0:0', SANDBOX_TARGET], ctx.map);
    // A copied folder keeps the owners it had: its layout decides its map (an unpacked one has the image's).
    const layout = source.kind === 'folder' ? layoutOf(staging.rootfs, user) : { user, map: ctx.map };
    const info = validated(staging.rootfs, label, layout.map);
    const owners = layout.user ? { user: layout.user } : {};
    return staging.commit({
      inPlace: false,
      source,
      ...owners,
      distro: info.distro,
      systemdVersion: info.systemdVersion,
      init: info.init,
      entries: counters.entries || undefined,
      bytes: counters.bytes || undefined,
    });
  } catch (e) {
    staging.discard();
    throw e;
  }
}

/** Imports `source` as image `name`. Nothing is left behind when it fails or is cancelled. */
export async function importImage(name: string, source: string, opts: ImportOptions = {}): Promise<ImageRecord> {
  const detected = await detectSource(source);
  if (detected.kind === 'folder' && !opts.copy) {
    // In place: the user's folder is the image. Checked like any other, never written to.
    const staging = beginImage(name);
    try {
      const layout = layoutOf(detected.path, opts.user ?? DEFAULT_IMAGE_USER);
      const info = validated(detected.path, detected.path, layout.map);
      fs.rmdirSync(staging.rootfs);
      const owners = layout.user ? { user: layout.user } : {};
      return staging.commit({
        rootfs: detected.path,
        inPlace: true,
        source: { kind: 'folder', path: detected.path },
        ...owners,
        distro: info.distro,
        systemdVersion: info.systemdVersion,
        init: info.init,
      });
    } catch (e) {
      staging.discard();
      throw e;
    }
  }
  const layers: Layer[] = detected.kind === 'oci-layout' ? ociLayers(detected.path) : [];
  return buildImage(name, detected.path, opts, async ({ staging, map, counters, setPhase, tick }) => {
    const extract = { counters, signal: opts.signal, onTick: tick, map };
    // The file you named (a link of yours is followed once, here), read up to the size it has now.
    const sourceFile: ArchiveFile = { path: fs.realpathSync(detected.path), size: detected.size };
    if (detected.kind === 'tarball') {
      checkFreeSpace(staging.dir, expandedEstimate([{ file: sourceFile, compression: detected.compression ?? 'none' }]));
      setPhase('unpacking', detected.size);
      await extractInto(staging.rootfs, sourceFile, { ...extract, compression: detected.compression ?? 'none' });
    } else if (detected.kind === 'folder') {
      setPhase('copying');
      await copyFolder(staging, detected.path, counters, map, opts);
    } else {
      let archive: string | undefined;
      if (detected.kind !== 'oci-layout') {
        checkFreeSpace(staging.dir, detected.size * 2);
        setPhase('reading the archive', detected.size);
        archive = path.join(staging.dir, 'archive');
        fs.mkdirSync(archive);
        await extractInto(archive, sourceFile, { ...extract, compression: detected.compression ?? 'none' });
        layers.push(...(detected.kind === 'docker-save' ? dockerSaveLayers(archive) : ociLayers(archive)));
        counters.bytes = 0;
        counters.entries = 0;
      }
      checkFreeSpace(staging.dir, expandedEstimate(layers));
      const total = layers.reduce((s, l) => s + l.file.size, 0);
      for (const [i, layer] of layers.entries()) {
        setPhase(`layer ${i + 1} of ${layers.length}`, total);
        await applyWhiteouts(staging.rootfs, layer, opts.signal);
        // A compressed legacy docker layer is identified by its uncompressed tar: not checked here.
        const sha256 = layer.digest && (layer.digest.of === 'file' || layer.compression === 'none') ? layer.digest.hex : undefined;
        await extractInto(staging.rootfs, layer.file, { ...extract, compression: layer.compression, skipWhiteouts: true, sha256 });
      }
      if (archive) removeMappedTree(archive);
    }
    return { kind: detected.kind, path: detected.path, compression: detected.compression };
  });
}
