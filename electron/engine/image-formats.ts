// What an import source is: a rootfs tarball (plain, gz, xz, zstd, bz2), a rootfs folder, an OCI image
// layout, an oci-archive or a `docker save` archive; and, for the layered formats, the layers in order.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { archiveFile, readArchiveJson, readChecked, shownName, type ArchiveFile } from './archive-files';
import { BurrowError } from './errors';

export type Compression = 'none' | 'gzip' | 'xz' | 'zstd' | 'bzip2';
export type SourceKind = 'tarball' | 'folder' | 'oci-layout' | 'oci-archive' | 'docker-save';

export interface Layer {
  /** Checked: a regular file inside the archive or layout, of this size. */
  file: ArchiveFile;
  compression: Compression;
  /** sha256 of the file as stored (OCI blobs), or of the uncompressed tar (docker's diff_ids). */
  digest?: { of: 'file' | 'tar'; hex: string };
}

/** GNU tar's option for each compression (it runs the matching program). */
export const TAR_DECOMPRESS: Record<Compression, string[]> = { none: [], gzip: ['--gzip'], xz: ['--xz'], zstd: ['--zstd'], bzip2: ['--bzip2'] };

export function sniffCompression(head: Buffer): Compression | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'none';
  return undefined;
}

function readHead(file: string, bytes = 512): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** The first entries of a tar archive, without reading it all (the listing stops once it has enough). */
function firstEntries(file: string, compression: Compression, count = 40): Promise<{ entries: string[]; error?: string }> {
  return new Promise((resolve) => {
    // LC_ALL=C: the complaint is shown and classified in English, whatever your locale.
    const tar = spawn('tar', ['-t', ...TAR_DECOMPRESS[compression], '-f', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const entries: string[] = [];
    let buffered = '';
    let stderr = '';
    let enough = false;
    tar.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const l of lines) if (entries.length < count) entries.push(l);
      // A name longer than any path (a PAX header can make one) is cut: only its first folder matters here.
      if (buffered.length > 65536) buffered = buffered.slice(0, 65536);
      if (entries.length >= count && !enough) {
        enough = true;
        tar.kill();
      }
    });
    tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    tar.on('close', (code) => {
      if (buffered && entries.length < count) entries.push(buffered);
      resolve({ entries, error: !enough && code !== 0 && !entries.length ? stderr.trim().split('\n')[0] : undefined });
    });
  });
}

const top = (entry: string): string => entry.replace(/^\.\//, '').split('/')[0]!;

/** Classifies a tar archive's content by its first entries: image archives start with blobs or layer folders. */
export function classifyEntries(entries: string[]): 'tarball' | 'oci-archive' | 'docker-save' {
  const tops = new Set(entries.map(top).filter(Boolean));
  if (tops.has('oci-layout') || (tops.has('blobs') && tops.has('index.json'))) return 'oci-archive';
  if (tops.has('manifest.json') || tops.has('repositories') || [...tops].some((t) => /^[0-9a-f]{64}(\.json)?$/.test(t))) return 'docker-save';
  if (tops.has('blobs')) return 'oci-archive';
  return 'tarball';
}

export interface DetectedSource {
  kind: SourceKind;
  path: string;
  compression?: Compression;
  size: number;
}

export async function detectSource(source: string): Promise<DetectedSource> {
  const p = path.resolve(source);
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new BurrowError('not-found', `${p} does not exist`, 'give the path of a tarball, an OCI layout folder or a rootfs folder');
  }
  if (st.isDirectory()) {
    if (fs.existsSync(path.join(p, 'oci-layout')) && fs.existsSync(path.join(p, 'index.json'))) return { kind: 'oci-layout', path: p, size: 0 };
    return { kind: 'folder', path: p, size: 0 };
  }
  if (!st.isFile()) throw new BurrowError('invalid-input', `${p} is neither a file nor a folder`);
  const unknown = () =>
    new BurrowError(
      'invalid-input',
      `unknown format: ${p} is not a tar archive (plain, gz, xz, zstd or bz2), an OCI image or a docker save archive`,
      'export a container with: podman export NAME -o rootfs.tar (or docker export), or save an image with: docker save IMAGE -o image.tar',
    );
  const compression = sniffCompression(readHead(p));
  if (!compression) throw unknown();
  const { entries, error } = await firstEntries(p, compression);
  if (error || !entries.length) {
    if (compression === 'none') throw unknown();
    throw new BurrowError(
      'import-failed',
      `${p} is ${compression}-compressed but does not hold a readable tar archive (${error ?? 'it is empty'})`,
      'the file may be truncated or corrupt: download or export it again',
    );
  }
  return { kind: classifyEntries(entries), path: p, compression, size: st.size };
}

const MEDIA_COMPRESSION: [RegExp, Compression][] = [
  [/\+gzip$|\.gzip$|tar\.gzip/, 'gzip'],
  [/\+zstd$|\.zstd$/, 'zstd'],
  [/tar$/, 'none'],
];

interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string };
}

/** The descriptors an index or manifest lists, each checked for the fields read from it. */
function descriptors(list: unknown, what: string): Descriptor[] {
  if (list === undefined) return [];
  const bad = () => new BurrowError('import-failed', `the OCI image's ${what} is malformed`, 'the image is corrupt: copy it again (skopeo copy … oci:DIR)');
  if (!Array.isArray(list)) throw bad();
  for (const d of list as Partial<Descriptor>[]) {
    if (!d || typeof d !== 'object' || typeof d.digest !== 'string' || (d.mediaType !== undefined && typeof d.mediaType !== 'string')) throw bad();
    // The size is what bounds every read of the blob: a descriptor without one is refused.
    if (!Number.isSafeInteger(d.size) || d.size! < 0)
      throw new BurrowError(
        'import-failed',
        `the OCI image's ${what} lists ${shownName(d.digest)} without a valid size`,
        'the image is corrupt: copy it again (skopeo copy … oci:DIR)',
      );
  }
  return list as Descriptor[];
}

/** A blob of an OCI layout, checked: inside the layout, a regular file, exactly the declared size. */
function blobFile(layout: string, d: Descriptor, what: string): ArchiveFile {
  const m = /^sha256:([0-9a-f]{64})$/.exec(d.digest);
  if (!m) throw new BurrowError('import-failed', `unsupported digest "${shownName(d.digest)}" in the OCI image`, 'only sha256 digests are supported');
  const rel = path.join('blobs', 'sha256', m[1]!);
  if (!fs.existsSync(path.join(layout, rel)) && !isLink(path.join(layout, rel))) {
    throw new BurrowError('import-failed', `the OCI image lacks blob ${d.digest}`, 'the image is incomplete: copy it again (skopeo copy … oci:DIR)');
  }
  return archiveFile(layout, rel, what, d.size);
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** The layers of an OCI image layout, bottom first (for this machine's platform where the index offers several). */
export function ociLayers(layout: string): Layer[] {
  const index = readArchiveJson<{ manifests?: unknown }>(archiveFile(layout, 'index.json', 'the OCI index'), 'the OCI index');
  const manifests = descriptors(index?.manifests, 'index');
  if (!manifests.length) throw new BurrowError('import-failed', 'the OCI image lists no manifest in index.json');
  const arch = GO_ARCH[process.arch] ?? process.arch;
  const forHere = (list: Descriptor[]) => list.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch) ?? list[0]!;
  const chosen = forHere(manifests);
  let manifest = readArchiveJson<{ layers?: unknown; manifests?: unknown }>(blobFile(layout, chosen, 'the OCI manifest'), 'the OCI manifest', chosen.digest);
  const nested = descriptors(manifest?.manifests, 'nested index');
  if (nested.length) {
    // An image index nested in the index: choose again.
    const inner = forHere(nested);
    manifest = readArchiveJson(blobFile(layout, inner, 'the OCI manifest'), 'the OCI manifest', inner.digest);
  }
  return descriptors(manifest?.layers, 'manifest').map((d) => {
    const compression = MEDIA_COMPRESSION.find(([re]) => re.test(d.mediaType ?? ''))?.[1];
    if (!compression)
      throw new BurrowError('import-failed', `unsupported layer type ${shownName(d.mediaType ?? '(none)')}`, 'layers must be tar, tar+gzip or tar+zstd');
    const file = blobFile(layout, d, 'a layer');
    return { file, compression, digest: { of: 'file' as const, hex: d.digest.slice('sha256:'.length) } };
  });
}

/** The layers of an unpacked `docker save` archive (docker 25+ writes an OCI layout inside: used when present). */
export function dockerSaveLayers(dir: string): Layer[] {
  if (fs.existsSync(path.join(dir, 'index.json')) && fs.existsSync(path.join(dir, 'oci-layout'))) return ociLayers(dir);
  const manifest = readArchiveJson<{ Config?: unknown; Layers?: unknown }[]>(archiveFile(dir, 'manifest.json', 'the docker manifest'), 'the docker manifest');
  const image = Array.isArray(manifest) ? manifest[0] : undefined;
  const layers = image?.Layers;
  if (!Array.isArray(layers) || !layers.length) throw new BurrowError('import-failed', 'the docker save archive lists no layers in manifest.json');
  if (!layers.every((l) => typeof l === 'string') || (image!.Config !== undefined && typeof image!.Config !== 'string')) {
    throw new BurrowError('import-failed', "the docker save archive's manifest.json is malformed", 'the archive is corrupt: save it again');
  }
  const config =
    typeof image!.Config === 'string'
      ? readArchiveJson<{ rootfs?: { diff_ids?: unknown } }>(archiveFile(dir, image!.Config, 'the docker image config'), 'the docker image config')
      : {};
  const diffIds = Array.isArray(config?.rootfs?.diff_ids) ? config.rootfs.diff_ids : [];
  return (layers as string[]).map((rel, i) => {
    const file = archiveFile(dir, rel, 'a layer');
    const diff: unknown = diffIds[i];
    const compression = sniffCompression(readChecked(file, 0, 512)) ?? 'none';
    const hex = typeof diff === 'string' ? /^(?:sha256:)?([0-9a-f]{64})$/.exec(diff)?.[1] : undefined;
    if (typeof diff === 'string' && !hex)
      throw new BurrowError('import-failed', `the docker image config lists an unsupported diff_id "${shownName(diff)}"`, 'only sha256 digests are supported');
    return { file, compression, digest: hex ? { of: 'tar' as const, hex } : undefined };
  });
}
