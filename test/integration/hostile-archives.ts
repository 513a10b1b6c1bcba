// Builders for the hostile-archive corpus of images.test.ts: tarballs written entry by entry with
// Python's tarfile (GNU tar will not write most of these), docker save and OCI layouts assembled as
// folders (links, FIFOs and sockets included) and tarred with GNU tar, and gzip streams that expand far
// beyond what their size and their trailer say.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Entry =
  | { name: string; type?: 'file'; data?: string; mode?: number }
  | { name: string; type: 'dir' | 'chr' | 'blk' | 'fifo' }
  | { name: string; type: 'symlink' | 'hardlink'; link: string };

const TAR_WRITER = `
import io, json, sys, tarfile
out, compress, entries = sys.argv[1], sys.argv[2], json.load(sys.stdin)
kinds = {'file': tarfile.REGTYPE, 'dir': tarfile.DIRTYPE, 'chr': tarfile.CHRTYPE, 'blk': tarfile.BLKTYPE,
         'fifo': tarfile.FIFOTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE}
raw = lambda s: s.encode('latin1').decode('utf-8', 'surrogateescape')
with tarfile.open(out, 'w:gz' if compress == 'gz' else 'w', format=tarfile.PAX_FORMAT, encoding='utf-8', errors='surrogateescape') as t:
    for e in entries:
        i = tarfile.TarInfo(raw(e['name'])); i.type = kinds[e.get('type', 'file')]; i.mode = e.get('mode', 0o755 if i.type == tarfile.DIRTYPE else 0o644)
        i.linkname = raw(e.get('link', '')); i.devmajor, i.devminor = 1, 3
        data = e.get('data', '').encode('latin1')
        i.size = len(data) if i.type == tarfile.REGTYPE else 0
        t.addfile(i, io.BytesIO(data) if i.type == tarfile.REGTYPE else None)
`;

/** Writes a tar (names as latin1 strings: one character per byte) exactly as listed. */
export function writeTar(file: string, entries: Entry[], compress: 'none' | 'gz' = 'none'): string {
  execFileSync('python3', ['-c', TAR_WRITER, file, compress], { input: JSON.stringify(entries) }); // a 1 MiB name is too long for argv
  return file;
}

/** The smallest tree an import accepts: os-release and an executable init. */
export const TINY_ROOTFS: Entry[] = [
  { name: 'etc', type: 'dir' },
  { name: 'etc/os-release', data: 'NAME=Tiny\nPRETTY_NAME="Tiny test image"\n' },
  { name: 'etc/motd', data: 'welcome\n' },
  { name: 'sbin', type: 'dir' },
  { name: 'sbin/init', data: '#!/bin/sh\n', mode: 0o755 },
];

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

export interface OciLayer {
  /** The blob's content, or the file that holds it. */
  data?: Buffer;
  file?: string;
  mediaType?: string;
}

/** Writes an OCI image layout as the image-spec describes it; returns each layer's blob path. */
export function writeOciLayout(dir: string, layers: OciLayer[], sizes: (n: number, i: number) => number = (n) => n): string[] {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const blob = (data: Buffer) => {
    const hex = sha256(data);
    fs.writeFileSync(path.join(dir, 'blobs', 'sha256', hex), data);
    return { digest: `sha256:${hex}`, size: data.length };
  };
  const layerDescs = layers.map((l, i) => {
    const d = blob(l.data ?? fs.readFileSync(l.file!));
    return { mediaType: l.mediaType ?? 'application/vnd.oci.image.layer.v1.tar', digest: d.digest, size: sizes(d.size, i) };
  });
  const config = blob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })));
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: layerDescs,
      }),
    ),
  );
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { os: 'linux', architecture: 'amd64' } }],
    }),
  );
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return layerDescs.map((d) => path.join(dir, 'blobs', 'sha256', d.digest.slice('sha256:'.length)));
}

/** Replaces a file by something else of the same name (a link, a FIFO, a socket). */
export function replaceWith(file: string, kind: { symlink: string } | 'fifo' | 'socket'): void {
  fs.rmSync(file, { force: true });
  if (kind === 'fifo') execFileSync('mkfifo', [file]);
  // Bound from its folder: a socket's path is limited to 108 bytes.
  else if (kind === 'socket')
    execFileSync('python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path.basename(file)], { cwd: path.dirname(file) });
  else fs.symlinkSync(kind.symlink, file);
}

export interface DockerLayer {
  /** Where manifest.json says the layer is. */
  name: string;
  /** Its content, written at `name`; or a link placed there instead. */
  data?: Buffer;
  symlink?: string;
  fifo?: boolean;
  /** The diff_id the config gives (default: sha256 of data). */
  diffId?: string;
}

/** Assembles an unpacked `docker save` archive: manifest.json, a config with diff_ids, the layers. */
export function writeDockerSave(dir: string, layers: DockerLayer[], opts: { config?: string; extra?: (dir: string) => void } = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const l of layers) {
    const file = path.join(dir, l.name);
    // A manifest path that points outside, or whose place `extra` fills: nothing to write here.
    if (!path.resolve(file).startsWith(dir + path.sep) || (!l.data && !l.symlink && !l.fifo)) continue;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (fs.existsSync(file) || isLink(file)) continue;
    if (l.data) fs.writeFileSync(file, l.data);
    else if (l.fifo) execFileSync('mkfifo', [file]);
    else if (l.symlink) fs.symlinkSync(l.symlink, file);
  }
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId ?? `sha256:${sha256(l.data ?? '')}`) },
  });
  const configName = opts.config ?? `${sha256(config)}.json`;
  if (!opts.config) fs.writeFileSync(path.join(dir, configName), config);
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify([{ Config: configName, RepoTags: ['burrow/hostile:latest'], Layers: layers.map((l) => l.name) }]),
  );
  opts.extra?.(dir);
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Tars a folder as it is (links stay links, FIFOs stay FIFOs). */
export function tarFolder(dir: string, archive: string): string {
  execFileSync('tar', ['-C', dir, '-cf', archive, '.'], { stdio: 'pipe' });
  return archive;
}

/**
 * A gzip tarball of `entries` and then `mib` MiB of zeros. `honest`: one gzip member, whose trailer gives
 * the true size (mod 4 GiB). Otherwise concatenated members: a few MiB on disk per GiB, and the trailer
 * gives only the size of the last, tiny member.
 */
export function gzipBomb(file: string, mib: number, opts: { entries?: Entry[]; honest?: boolean } = {}): string {
  execFileSync('python3', [
    '-c',
    `
import gzip, json, sys, tarfile, zlib
out, mib, entries, honest = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4] == '1'
def member(name, data=b'', kind=tarfile.REGTYPE, mode=0o644, size=None):
    info = tarfile.TarInfo(name); info.type = kind; info.mode = mode
    info.size = len(data) if size is None else size
    return info.tobuf(tarfile.GNU_FORMAT) + data + b'\\0' * (-len(data) % 512)
head = b''.join(member(e['name'], kind=tarfile.DIRTYPE, mode=0o755) if e.get('type') == 'dir'
                else member(e['name'], e.get('data', '').encode(), mode=e.get('mode', 0o644)) for e in entries)
head += member('zeros', size=mib << 20)
zeros = b'\\0' * (1 << 20)
with open(out, 'wb') as o:
    if honest:
        with gzip.GzipFile(fileobj=o, mode='wb', compresslevel=1) as g:
            g.write(head)
            for _ in range(mib): g.write(zeros)
            g.write(b'\\0' * 1024)
    else:
        chunk = gzip.compress(zeros * 64, 1)
        o.write(gzip.compress(head, 1))
        for _ in range(mib // 64): o.write(chunk)
        o.write(gzip.compress(b'\\0' * (((mib % 64) << 20) + 1024), 1))
`,
    file,
    String(mib),
    JSON.stringify(opts.entries ?? []),
    opts.honest ? '1' : '0',
  ]);
  return file;
}
