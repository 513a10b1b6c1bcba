// The OCI image layout an `export --oci` writes: documents that reference each other by digest, a tag both
// podman and docker read, and an archive whose blobs hash to their names (what skopeo and podman check).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProfile } from '../contract/profile-defaults';
import { fileDigest, ociDocuments, ociReference, writeOciArchive } from './export-oci';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const profile = {
  ...defaultProfile({ name: 'web', rootfs: '/images/web', machineId: '0'.repeat(32) }),
  init: ['/lib/systemd/systemd', '--log-level=info'],
  env: { container: 'burrow', TERM: 'xterm-256color', APP_MODE: 'moved' },
};
const facts = { machine: 'web', profile, created: '2026-11-29T00:00:00.000Z', layerDigest: `sha256:${'a'.repeat(64)}`, layerBytes: 1234 };
let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('OCI documents', () => {
  it('reference each other by the digests of their own bytes', () => {
    const d = ociDocuments(facts);
    expect(d.config.digest).toBe(sha(d.config.bytes));
    expect(d.manifest.digest).toBe(sha(d.manifest.bytes));
    const manifest = JSON.parse(d.manifest.bytes.toString());
    expect(manifest.config).toEqual({ mediaType: 'application/vnd.oci.image.config.v1+json', digest: d.config.digest, size: d.config.bytes.length });
    expect(manifest.layers).toEqual([{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: facts.layerDigest, size: 1234 }]);
    const index = JSON.parse(d.index.toString());
    expect(index.manifests[0]).toMatchObject({ digest: d.manifest.digest, size: d.manifest.bytes.length });
    expect(JSON.parse(d.layout.toString())).toEqual({ imageLayoutVersion: '1.0.0' });
  });

  it('start the profile init, stop it as systemd wants, and keep the machine environment', () => {
    const config = JSON.parse(ociDocuments(facts).config.bytes.toString());
    expect(config.config.Cmd).toEqual(['/lib/systemd/systemd', '--log-level=info']);
    expect(config.config.StopSignal).toBe('SIGRTMIN+3');
    expect(config.config.Env).toEqual(['APP_MODE=moved']);
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: [facts.layerDigest] });
    expect(config.os).toBe('linux');
    const noInit = JSON.parse(ociDocuments({ ...facts, profile: { ...profile, init: [] } }).config.bytes.toString());
    expect(noInit.config.Cmd).toEqual(['/sbin/init']);
  });

  it('tag the image for podman and docker, a snapshot by its id', () => {
    expect(ociReference('web')).toBe('localhost/burrow-web:latest');
    expect(ociReference('web', '3')).toBe('localhost/burrow-web:snapshot-3');
    const docker = JSON.parse(ociDocuments({ ...facts, snapshot: '3' }).dockerManifest.toString());
    expect(docker[0].RepoTags).toEqual(['localhost/burrow-web:snapshot-3']);
    expect(docker[0].Layers).toEqual([`blobs/sha256/${'a'.repeat(64)}`]);
  });
});

describe('the OCI archive', () => {
  it('holds the layout with blobs that hash to their names, owned by root', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-oci-'));
    dirs.push(work);
    fs.mkdirSync(path.join(work, 'tree/etc'), { recursive: true });
    fs.writeFileSync(path.join(work, 'tree/etc/os-release'), 'ID=debian\n');
    const layer = path.join(work, 'layer.tar');
    execFileSync('tar', ['-c', '-f', layer, '-C', path.join(work, 'tree'), '.']);
    const layerDigest = await fileDigest(layer);
    const file = path.join(work, 'out.tar');
    const fd = fs.openSync(file, 'wx');
    const bytes = await writeOciArchive(work, layer, { machine: 'web', profile, created: facts.created }, fd);
    fs.closeSync(fd);
    expect(bytes).toBe(fs.statSync(file).size);

    const unpacked = path.join(work, 'unpacked');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-x', '-f', file, '-C', unpacked]);
    const listing = execFileSync('tar', ['-t', '-v', '--numeric-owner', '-f', file], { encoding: 'utf8' });
    expect(
      listing
        .split('\n')
        .filter(Boolean)
        .every((l) => / 0\/0 /.test(l)),
    ).toBe(true);
    const blobs = fs.readdirSync(path.join(unpacked, 'blobs/sha256'));
    expect(blobs).toHaveLength(3);
    for (const b of blobs) expect(sha(fs.readFileSync(path.join(unpacked, 'blobs/sha256', b)))).toBe(`sha256:${b}`);
    const index = JSON.parse(fs.readFileSync(path.join(unpacked, 'index.json'), 'utf8'));
    const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'));
    expect(manifest.layers[0].digest).toBe(layerDigest);
    const docker = JSON.parse(fs.readFileSync(path.join(unpacked, 'manifest.json'), 'utf8'));
    expect(fs.existsSync(path.join(unpacked, docker[0].Config))).toBe(true);
    expect(execFileSync('tar', ['-t', '-f', path.join(unpacked, docker[0].Layers[0])], { encoding: 'utf8' })).toContain('./etc/os-release');
  });
});
