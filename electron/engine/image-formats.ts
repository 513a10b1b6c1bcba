// What an import source is: a rootfs tarball (plain, gz, xz, zstd, bz2), a rootfs folder, an OCI image
// layout, an oci-archive or a `docker save` archive; and, for the layered formats, the layers in order.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BurrowError } from './errors';

export type Compression = 'none' | 'gzip' | 'xz' | 'zstd' | 'bzip2';
export type SourceKind = 'tarball' | 'folder' | 'oci-layout' | 'oci-archive' | 'docker-save';

export interface Layer {
  file: string;
  compression: Compression;
  size: number;
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
    const tar = spawn('tar', ['-t', ...TAR_DECOMPRESS[compression], '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const entries: string[] = [];
    let buffered = '';
    let stderr = '';
    let enough = false;
    tar.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const l of lines) if (entries.length < count) entries.push(l);
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
  const unknown = () => new BurrowError('invalid-input', `unknown format: ${p} is not a tar archive (plain, gz, xz, zstd or bz2), an OCI image or a docker save archive`, 'export a container with: podman export NAME -o rootfs.tar (or docker export), or save an image with: docker save IMAGE -o image.tar');
  const compression = sniffCompression(readHead(p));
  if (!compression) throw unknown();
  const { entries, error } = await firstEntries(p, compression);
  if (error || !entries.length) {
    if (compression === 'none') throw unknown();
    throw new BurrowError('import-failed', `${p} is ${compression}-compressed but does not hold a readable tar archive (${error ?? 'it is empty'})`, 'the file may be truncated or corrupt: download or export it again');
  }
  return { kind: classifyEntries(entries), path: p, compression, size: st.size };
}

function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new BurrowError('import-failed', `${what} (${path.basename(file)}) cannot be read: ${(e as Error).message}`, 'the image is incomplete or corrupt: save or copy it again');
  }
}

const MEDIA_COMPRESSION: [RegExp, Compression][] = [
  [/\+gzip$|\.gzip$|tar\.gzip/, 'gzip'],
  [/\+zstd$|\.zstd$/, 'zstd'],
  [/tar$/, 'none'],
];

function blobPath(layout: string, digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new BurrowError('import-failed', `unsupported digest ${JSON.stringify(digest)} in the OCI image`, 'only sha256 digests are supported');
  const file = path.join(layout, 'blobs', 'sha256', m[1]!);
  if (!fs.existsSync(file)) throw new BurrowError('import-failed', `the OCI image lacks blob ${digest}`, 'the image is incomplete: copy it again (skopeo copy … oci:DIR)');
  return file;
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string };
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** The layers of an OCI image layout, bottom first (for this machine's platform where the index offers several). */
export function ociLayers(layout: string): Layer[] {
  const index = readJson<{ manifests?: Descriptor[] }>(path.join(layout, 'index.json'), 'the OCI index');
  const manifests = index.manifests ?? [];
  if (!manifests.length) throw new BurrowError('import-failed', 'the OCI image lists no manifest in index.json');
  const arch = GO_ARCH[process.arch] ?? process.arch;
  const chosen = manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch) ?? manifests[0]!;
  let manifest = readJson<{ layers?: Descriptor[]; manifests?: Descriptor[] }>(blobPath(layout, chosen.digest), 'the OCI manifest');
  if (manifest.manifests) {
    // An image index nested in the index: choose again.
    const inner = manifest.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch) ?? manifest.manifests[0]!;
    manifest = readJson(blobPath(layout, inner.digest), 'the OCI manifest');
  }
  return (manifest.layers ?? []).map((d) => {
    const compression = MEDIA_COMPRESSION.find(([re]) => re.test(d.mediaType ?? ''))?.[1];
    if (!compression) throw new BurrowError('import-failed', `unsupported layer type ${d.mediaType ?? '(none)'}`, 'layers must be tar, tar+gzip or tar+zstd');
    const file = blobPath(layout, d.digest);
    return { file, compression, size: fs.statSync(file).size, digest: { of: 'file' as const, hex: d.digest.slice('sha256:'.length) } };
  });
}

/** The layers of an unpacked `docker save` archive (docker 25+ writes an OCI layout inside: used when present). */
export function dockerSaveLayers(dir: string): Layer[] {
  if (fs.existsSync(path.join(dir, 'index.json')) && fs.existsSync(path.join(dir, 'oci-layout'))) return ociLayers(dir);
  const manifest = readJson<{ Config?: string; Layers?: string[] }[]>(path.join(dir, 'manifest.json'), 'the docker manifest');
  const image = manifest[0];
  if (!image?.Layers?.length) throw new BurrowError('import-failed', 'the docker save archive lists no layers in manifest.json');
  const config = image.Config ? readJson<{ rootfs?: { diff_ids?: string[] } }>(inside(dir, image.Config), 'the docker image config') : {};
  return image.Layers.map((rel, i) => {
    const file = inside(dir, rel);
    const diff = config.rootfs?.diff_ids?.[i];
    const compression = sniffCompression(readHead(file)) ?? 'none';
    return { file, compression, size: fs.statSync(file).size, digest: diff ? { of: 'tar' as const, hex: diff.replace(/^sha256:/, '') } : undefined };
  });
}

/** A path named inside an archive's manifest, refused if it points outside the archive. */
function inside(dir: string, rel: string): string {
  const file = path.resolve(dir, rel);
  if (!file.startsWith(dir + path.sep)) throw new BurrowError('import-failed', `the archive's manifest points outside it (${rel})`);
  if (!fs.existsSync(file)) throw new BurrowError('import-failed', `the archive lacks ${rel}, which its manifest lists`, 'the archive is incomplete: save it again');
  return file;
}
