// `burrow export NAME FILE.tar --oci`: an OCI image (with docker's manifest.json) of a real machine. The
// layer holds the guest's tree with the guest's own numeric owners and no Burrow settings entry; the
// documents hash to their names. skopeo, where installed (.ci/run installs it), reads the archive both as
// an OCI archive and as a docker archive and checks every digest, as podman load and docker load do.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, imageTar, ok, type Sandbox } from './harness';

let sb: Sandbox;
let out: string;
const sh = (machine: string, script: string) => ok(sb.burrow(['shell', machine, '--', 'sh', '-c', script])).trim();
const skopeo = spawnSync('skopeo', ['--version']).status === 0;
const sha = (file: string) => `sha256:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;

beforeAll(() => {
  sb = createSandbox('export-oci');
  out = path.join(sb.root, 'out');
  fs.mkdirSync(out);
  ok(sb.burrow(['image', 'import', 'deb12', imageTar('debian12')]));
  ok(sb.burrow(['create', 'web', '--image', 'deb12', '--network', 'isolated', '--env', 'APP_MODE=oci']));
  ok(sb.burrow(['start', 'web']));
  sh('web', 'echo served > /srv/page && chown 33:33 /srv/page && chmod 0640 /srv/page');
});
afterAll(() => sb?.cleanup());

describe('export --oci', () => {
  it('writes an image of a running machine: its layer holds the guest tree with guest owners, the documents their digests', () => {
    const file = path.join(out, 'web.tar');
    const done = ok(sb.burrow(['export', 'web', file, '--oci']));
    expect(done).toMatch(/exported web to .*web\.tar: [\d.]+ MiB \(OCI image localhost\/burrow-web:latest\) in \d+\.\d\d s, web frozen for/);
    expect(done).toContain('podman load -i');
    const unpacked = path.join(out, 'unpacked');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-x', '-f', file, '-C', unpacked]);
    expect(fs.readdirSync(unpacked).sort()).toEqual(['blobs', 'index.json', 'manifest.json', 'oci-layout']);
    const blobs = path.join(unpacked, 'blobs/sha256');
    for (const b of fs.readdirSync(blobs)) expect(sha(path.join(blobs, b))).toBe(`sha256:${b}`);
    const index = JSON.parse(fs.readFileSync(path.join(unpacked, 'index.json'), 'utf8'));
    const manifest = JSON.parse(fs.readFileSync(path.join(blobs, index.manifests[0].digest.slice(7)), 'utf8'));
    const config = JSON.parse(fs.readFileSync(path.join(blobs, manifest.config.digest.slice(7)), 'utf8'));
    expect(config.config.StopSignal).toBe('SIGRTMIN+3');
    expect(config.config.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP_MODE=oci']);
    expect(config.rootfs.diff_ids).toEqual([manifest.layers[0].digest]);

    const layer = path.join(blobs, manifest.layers[0].digest.slice(7));
    const listing = execFileSync('tar', ['-t', '-v', '--numeric-owner', '-f', layer], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(listing).toMatch(/^-rw-r----- 33\/33 .* \.\/srv\/page$/m);
    expect(listing).toMatch(/^d\S+ 0\/0 .* \.\/etc\/$/m);
    expect(listing).not.toContain('.burrow-machine.json');
    expect(listing).toMatch(/ \.\/usr\/lib\/systemd\/systemd$/m);
  });

  it.skipIf(!skopeo)('is read by skopeo as an OCI archive and as a docker archive, every digest checked', () => {
    const file = path.join(out, 'web.tar');
    for (const transport of ['oci-archive', 'docker-archive']) {
      const dest = path.join(out, `copy-${transport}`);
      const r = spawnSync('skopeo', ['--insecure-policy', 'copy', '-q', `${transport}:${file}`, `dir:${dest}`], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(fs.readdirSync(dest)).toContain('manifest.json');
    }
    const inspect = JSON.parse(execFileSync('skopeo', ['inspect', `docker-archive:${file}`], { encoding: 'utf8' }));
    expect(inspect.RepoTags ?? []).toBeDefined();
    expect(inspect.Layers).toHaveLength(1);
    expect(inspect.Os).toBe('linux');
  });

  it('refuses a compressed name before writing anything', () => {
    const r = sb.burrow(['export', 'web', path.join(out, 'web.tar.zst'), '--oci']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/an OCI export is a plain tar.*\n.*end the name in \.tar/);
    expect(r.stderr).not.toMatch(/\bat \S+\.js:\d+/);
    expect(fs.readdirSync(out).filter((e) => e.includes('partial') || e.endsWith('.zst'))).toEqual([]);
  });

  it('exports a snapshot tagged by its id', () => {
    ok(sb.burrow(['snapshot', 'web']));
    const done = ok(sb.burrow(['export', 'web@1', path.join(out, 'snap.tar'), '--oci']));
    expect(done).toContain('localhost/burrow-web:snapshot-1');
    const docker = JSON.parse(execFileSync('tar', ['-x', '-O', '-f', path.join(out, 'snap.tar'), 'manifest.json'], { encoding: 'utf8' }));
    expect(docker[0].RepoTags).toEqual(['localhost/burrow-web:snapshot-1']);
  });
});
