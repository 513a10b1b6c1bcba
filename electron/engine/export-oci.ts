// `burrow export NAME FILE.tar --oci`: the machine's tree as an image podman, docker and skopeo load. The
// archive is an OCI image layout (oci-layout, index.json, blobs/sha256/…) that also carries docker's
// manifest.json, as `docker save` writes since Docker 25: `podman load`, `docker load` (older ones read
// manifest.json) and `skopeo copy oci-archive:FILE` all take it. The tree is one uncompressed layer, the
// same tar a plain export writes (guest owners, modes, xattrs, file capabilities) without Burrow's settings
// entry; the config starts systemd (the profile's init) and stops it with SIGRTMIN+3, as podman's
// systemd mode expects.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MachineProfile } from '../contract/profile';
import { BurrowError } from './errors';
import { exportError } from './export-archive';
import { which } from './which';

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
};

/** Node's names for CPUs, in the words of OCI's `architecture` (GOARCH). */
const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export interface OciImageFacts {
  /** The machine's name; the image is tagged `localhost/burrow-NAME:latest`. */
  machine: string;
  snapshot?: string;
  profile: MachineProfile;
  created: string;
  /** `sha256:…` of the uncompressed layer (its diff id and its digest: the layer is stored uncompressed). */
  layerDigest: string;
  layerBytes: number;
}

export interface Blob {
  digest: string;
  bytes: Buffer;
}

const blob = (value: unknown): Blob => {
  const bytes = Buffer.from(JSON.stringify(value));
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, bytes };
};

/** The image's reference: machine names are already lowercase letters, digits, `-` and `_`, which OCI and docker accept. */
export const ociReference = (machine: string, snapshot?: string): string => `localhost/burrow-${machine}:${snapshot ? `snapshot-${snapshot}` : 'latest'}`;

/** The JSON documents of the image layout, each with its digest; pure, so tests check them without a machine. */
export function ociDocuments(f: OciImageFacts): { config: Blob; manifest: Blob; index: Buffer; dockerManifest: Buffer; layout: Buffer } {
  const ref = ociReference(f.machine, f.snapshot);
  // `container` and TERM are for whoever runs the image to set (podman says container=podman).
  const env = Object.entries(f.profile.env ?? {})
    .filter(([k]) => k !== 'container' && k !== 'TERM')
    .map(([k, v]) => `${k}=${v}`);
  const config = blob({
    created: f.created,
    architecture: ARCH[process.arch] ?? process.arch,
    os: 'linux',
    config: {
      Cmd: f.profile.init.length ? f.profile.init : ['/sbin/init'],
      StopSignal: 'SIGRTMIN+3',
      ...(env.length ? { Env: env } : {}),
      Labels: { 'org.opencontainers.image.title': f.machine, 'io.burrow.machine': f.machine },
    },
    rootfs: { type: 'layers', diff_ids: [f.layerDigest] },
    history: [{ created: f.created, created_by: `burrow export ${f.machine}${f.snapshot ? `@${f.snapshot}` : ''} --oci` }],
  });
  const manifest = blob({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: config.digest, size: config.bytes.length },
    layers: [{ mediaType: MEDIA.layer, digest: f.layerDigest, size: f.layerBytes }],
    annotations: { 'org.opencontainers.image.created': f.created, 'org.opencontainers.image.ref.name': ref },
  });
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: [
        {
          mediaType: MEDIA.manifest,
          digest: manifest.digest,
          size: manifest.bytes.length,
          annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': ref.split(':').pop() },
        },
      ],
    }),
  );
  const blobPath = (d: string) => `blobs/sha256/${d.slice('sha256:'.length)}`;
  const dockerManifest = Buffer.from(JSON.stringify([{ Config: blobPath(config.digest), RepoTags: [ref], Layers: [blobPath(f.layerDigest)] }]));
  return { config, manifest, index, dockerManifest, layout: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) };
}

/** The sha256 of a file, read in 1 MiB pieces. */
export async function fileDigest(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024, signal })) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Lays the image out in `work` around `layer` (a tar in `work`, moved into blobs/) and writes the archive
 * to `fd`. The outer tar holds only files we wrote, so it needs no mapping: it runs as you, owners set to 0.
 */
export async function writeOciArchive(
  work: string,
  layer: string,
  facts: Omit<OciImageFacts, 'layerDigest' | 'layerBytes'>,
  fd: number,
  signal?: AbortSignal,
): Promise<number> {
  const layerDigest = await fileDigest(layer, signal);
  const docs = ociDocuments({ ...facts, layerDigest, layerBytes: fs.statSync(layer).size });
  const root = path.join(work, 'oci');
  const blobs = path.join(root, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const hex = (d: string) => d.slice('sha256:'.length);
  fs.renameSync(layer, path.join(blobs, hex(layerDigest)));
  fs.writeFileSync(path.join(blobs, hex(docs.config.digest)), docs.config.bytes);
  fs.writeFileSync(path.join(blobs, hex(docs.manifest.digest)), docs.manifest.bytes);
  fs.writeFileSync(path.join(root, 'index.json'), docs.index);
  fs.writeFileSync(path.join(root, 'manifest.json'), docs.dockerManifest);
  fs.writeFileSync(path.join(root, 'oci-layout'), docs.layout);
  const tar = which('tar');
  if (!tar) throw new BurrowError('host-not-ready', 'tar is not installed, and an export needs it', 'install it (sudo apt install tar)');
  const args = ['--numeric-owner', '--owner=0', '--group=0', '--mode=a+r', '-c', '-f', '-', '-C', root, 'oci-layout', 'index.json', 'manifest.json', 'blobs'];
  const child = spawn(tar, args, { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, LC_ALL: 'C' }, signal });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4096)));
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(null));
    child.on('close', (c) => resolve(c));
  });
  if (signal?.aborted) return 0; // the caller says it was cancelled
  const failure = exportError(err, code, '', 0);
  if (failure) throw failure;
  return fs.fstatSync(fd).size;
}
