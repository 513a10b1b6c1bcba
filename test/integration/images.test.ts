// Images on real data: tarballs in every compression, an OCI layout (whiteouts, an opaque folder), an
// oci-archive and a docker save archive built here with real tools, machines that keep their image
// pristine, and every bad input refused with nothing left behind.
import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asMappedRoot, BURROW, createSandbox, imageTar, ok, waitFor, type Sandbox } from './harness';

let sb: Sandbox;
let fixtures: string;
/** The host uid of guest uid 33 (www-data) under this user's mapping. */
let wwwDataHostUid: number;

const storeDir = () => path.join(sb.env.XDG_DATA_HOME!, 'burrow', 'images');
const storeEntries = () => (fs.existsSync(storeDir()) ? fs.readdirSync(storeDir()) : []);
const sh = (script: string) => execFileSync('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const py = (script: string) => execFileSync('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });

/** A fixture file, made on first use (tests may run alone). */
function fixture(name: string, make: (file: string) => void): string {
  const file = path.join(fixtures, name);
  if (!fs.existsSync(file)) make(file);
  return file;
}
const xzImage = () => fixture('d12.tar.xz', (f) => sh(`xz -0 -T0 -c < ${imageTar('debian12')} > ${f}`));

/** A listing of a tree as the guest sees it (owner, mode, size, path), for "never changed" checks. */
function treeListing(dir: string): string {
  return execFileSync('unshare', ['--user', '--map-auto', '--map-root-user', '--', 'find', dir, '-printf', '%U:%G %m %s %T@ %p\\n'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function apacheWorkersAs(machine: string): string[] {
  return ok(sb.burrow(['shell', machine, '--', 'ps', '-o', 'user=', '-C', 'apache2'])).split('\n').map((l) => l.trim()).filter(Boolean);
}

beforeAll(() => {
  sb = createSandbox('img');
  fixtures = path.join(sb.root, 'fixtures');
  fs.mkdirSync(fixtures);
  const subuid = fs.readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith(`${execFileSync('id', ['-un'], { encoding: 'utf8' }).trim()}:`))!;
  wwwDataHostUid = Number(subuid.split(':')[1]) + 32;
});
afterAll(() => {
  if (fs.existsSync(fixtures)) asMappedRoot(['rm', '-rf', fixtures]);
  sb.cleanup();
});

describe('a docker export style tarball', () => {
  it('made with tar --numeric-owner and gzip, imports with owners kept and boots with apache\'s workers as www-data', () => {
    const unpacked = sb.rootfs('debian12', 'exported');
    const tarball = path.join(fixtures, 'exported.tar.gz');
    asMappedRoot(['tar', '--numeric-owner', '-C', unpacked, '-czf', tarball, '.']);
    const out = ok(sb.burrow(['image', 'import', 'exported', tarball]));
    expect(out).toContain('imported exported from tarball: Debian GNU/Linux 12 (bookworm), systemd 252');
    const rootfs = path.join(storeDir(), 'exported', 'rootfs');
    expect(fs.statSync(path.join(rootfs, 'var/www/html')).uid).toBe(fs.statSync(rootfs).uid); // root inside is you
    expect(ok(sb.burrow(['image', 'inspect', 'exported']))).toContain('owners       consistent with your subordinate-id mapping');
    ok(sb.burrow(['create', 'exported', '--image', 'exported', '--network', 'isolated']));
    ok(sb.burrow(['start', 'exported']));
    try {
      expect(apacheWorkersAs('exported')).toContain('www-data');
      const workerPids = sh(`pgrep -u ${wwwDataHostUid} apache2 || true`).trim();
      expect(workerPids, 'apache workers run as the subordinate uid of www-data on the host').not.toBe('');
    } finally {
      ok(sb.burrow(['stop', 'exported']));
    }
  });

  it.each([
    ['zstd', () => fixture('d12.tar.zstd', (f) => sh(`zstd -q -1 -T0 -c < ${imageTar('debian12')} > ${f}`))],
    ['xz', xzImage],
  ])('imports a %s-compressed tarball', (kind, make) => {
    const tarball = make();
    const json = JSON.parse(ok(sb.burrow(['image', 'import', `d12-${kind}`, tarball, '--json'])));
    expect(json.source).toMatchObject({ kind: 'tarball', compression: kind });
    expect(json.systemdVersion).toBe(252);
    ok(sb.burrow(['image', 'rm', `d12-${kind}`]));
  });
});

/** Writes an OCI image layout by hand, as the image-spec describes it: blobs by sha256, a manifest, an index. */
function writeOciLayout(dir: string, layers: { file: string; mediaType: string }[]): void {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const blob = (data: Buffer) => {
    const hex = createHash('sha256').update(data).digest('hex');
    fs.writeFileSync(path.join(dir, 'blobs', 'sha256', hex), data);
    return { digest: `sha256:${hex}`, size: data.length };
  };
  const layerDescs = layers.map((l) => ({ mediaType: l.mediaType, ...blob(fs.readFileSync(l.file)) }));
  const config = blob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })));
  const manifest = blob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: layerDescs })));
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { os: 'linux', architecture: 'amd64' } }] }));
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
}

describe('layered images', () => {
  let layer2: string;
  let layer3: string;
  beforeAll(() => {
    // Layer 2 adds a folder of two files and a marker, and deletes /etc/motd by whiteout.
    const l2 = path.join(fixtures, 'l2');
    fs.mkdirSync(path.join(l2, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(l2, 'opt/burrow-layers'), { recursive: true });
    fs.writeFileSync(path.join(l2, 'opt/burrow-layers/a'), 'a');
    fs.writeFileSync(path.join(l2, 'opt/burrow-layers/b'), 'b');
    fs.writeFileSync(path.join(l2, 'etc/burrow-layer2'), 'layer 2');
    fs.writeFileSync(path.join(l2, 'etc/.wh.motd'), '');
    layer2 = path.join(fixtures, 'layer2.tar.gz');
    sh(`tar --numeric-owner --owner=0 --group=0 -C ${l2} -czf ${layer2} .`);
    // Layer 3 replaces that folder opaquely with a single file, and gives /srv to www-data.
    const l3 = path.join(fixtures, 'l3');
    fs.mkdirSync(path.join(l3, 'opt/burrow-layers'), { recursive: true });
    fs.mkdirSync(path.join(l3, 'srv/www'), { recursive: true });
    fs.writeFileSync(path.join(l3, 'opt/burrow-layers/.wh..wh..opq'), '');
    fs.writeFileSync(path.join(l3, 'opt/burrow-layers/c'), 'c');
    layer3 = path.join(fixtures, 'layer3.tar');
    sh(`tar --numeric-owner --owner=0 --group=0 -C ${l3} -cf ${layer3} --mode=u+rwX . && tar --numeric-owner --owner=33 --group=33 -C ${l3} -rf ${layer3} ./srv/www`);
  });

  /** What the layers must leave: a tree as the guest sees it. */
  function expectLayeredTree(image: string) {
    const root = path.join(storeDir(), image, 'rootfs');
    expect(fs.existsSync(path.join(root, 'etc/motd'))).toBe(false);
    expect(fs.readFileSync(path.join(root, 'etc/burrow-layer2'), 'utf8')).toBe('layer 2');
    expect(fs.readdirSync(path.join(root, 'opt/burrow-layers'))).toEqual(['c']);
    expect(fs.readdirSync(path.join(root, 'etc')).filter((f) => f.startsWith('.wh.'))).toEqual([]);
    expect(fs.statSync(path.join(root, 'srv/www')).uid).toBe(wwwDataHostUid);
    expect(fs.existsSync(path.join(root, 'etc/os-release'))).toBe(true); // the base layer is there
  }

  it('an OCI layout: layers in order, a whiteout deletes, an opaque folder replaces', () => {
    const layout = path.join(fixtures, 'oci');
    writeOciLayout(layout, [
      { file: imageTar('debian12'), mediaType: 'application/vnd.oci.image.layer.v1.tar' },
      { file: layer2, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
      { file: layer3, mediaType: 'application/vnd.oci.image.layer.v1.tar' },
    ]);
    expect(ok(sb.burrow(['image', 'import', 'oci', layout]))).toContain('imported oci from oci-layout');
    expectLayeredTree('oci');
  });

  it('an oci-archive (the same layout as one tar) gives the same tree', () => {
    const archive = path.join(fixtures, 'oci-archive.tar');
    sh(`tar -C ${path.join(fixtures, 'oci')} -cf ${archive} .`);
    expect(ok(sb.burrow(['image', 'import', 'ociarchive', archive]))).toContain('imported ociarchive from oci-archive');
    expectLayeredTree('ociarchive');
    expect(storeEntries().filter((e) => e.startsWith('.'))).toEqual([]);
    expect(fs.existsSync(path.join(storeDir(), 'ociarchive', 'archive'))).toBe(false); // the unpacked archive is gone
  });

  it('a docker save archive (manifest.json, layer.tar folders, diff_ids) boots with apache\'s workers as www-data', () => {
    const dir = path.join(fixtures, 'docker');
    const layers = [imageTar('debian12'), layer3];
    const diffIds: string[] = [];
    const rel: string[] = [];
    for (const [i, file] of layers.entries()) {
      const id = createHash('sha256').update(`layer${i}`).digest('hex');
      fs.mkdirSync(path.join(dir, id), { recursive: true });
      fs.copyFileSync(file, path.join(dir, id, 'layer.tar'));
      diffIds.push(`sha256:${sha256(file)}`);
      rel.push(`${id}/layer.tar`);
    }
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } });
    const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
    fs.writeFileSync(path.join(dir, configName), config);
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: ['burrow/test:latest'], Layers: rel }]));
    fs.writeFileSync(path.join(dir, 'repositories'), JSON.stringify({ 'burrow/test': { latest: rel[1]!.split('/')[0] } }));
    const archive = path.join(fixtures, 'docker-save.tar');
    sh(`tar -C ${dir} -cf ${archive} .`);
    expect(ok(sb.burrow(['image', 'import', 'saved', archive]))).toContain('imported saved from docker-save');
    ok(sb.burrow(['create', 'saved', '--image', 'saved', '--network', 'isolated']));
    ok(sb.burrow(['start', 'saved']));
    try {
      expect(apacheWorkersAs('saved')).toContain('www-data');
    } finally {
      ok(sb.burrow(['stop', 'saved']));
    }
  });

  it('refuses a layer whose content does not match its digest, keeping nothing', () => {
    const layout = path.join(fixtures, 'oci-bad');
    writeOciLayout(layout, [{ file: layer2, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }]);
    const blobs = path.join(layout, 'blobs', 'sha256');
    const layerBlob = fs.readdirSync(blobs).find((f) => fs.statSync(path.join(blobs, f)).size === fs.statSync(layer2).size)!;
    // Same gzip, different content: a file inside changed.
    const l2 = path.join(fixtures, 'l2');
    fs.writeFileSync(path.join(l2, 'etc/burrow-layer2'), 'tampered');
    sh(`tar --numeric-owner --owner=0 --group=0 -C ${l2} -czf ${path.join(blobs, layerBlob)} .`);
    const r = sb.burrow(['image', 'import', 'tampered', layout]);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/a layer is corrupt: its sha256 is/);
    expect(storeEntries()).not.toContain('tampered');
    expect(storeEntries().filter((e) => e.startsWith('.'))).toEqual([]);
  });
});

describe('pristine and ephemeral machines', () => {
  it('an ephemeral machine forgets, a persistent one remembers, and the image never changes', () => {
    ok(sb.burrow(['image', 'import', 'base', imageTar('debian12')]));
    const image = path.join(storeDir(), 'base', 'rootfs');
    const before = treeListing(image);
    ok(sb.burrow(['create', 'keep', '--image', 'base', '--persistent', '--network', 'isolated']));
    ok(sb.burrow(['create', 'forget', '--image', 'base', '--ephemeral', '--network', 'isolated']));
    for (const m of ['keep', 'forget']) {
      ok(sb.burrow(['start', m]));
      ok(sb.burrow(['shell', m, '--', 'sh', '-c', `echo ${m} > /root/mark && rm /etc/issue`]));
      ok(sb.burrow(['stop', m]));
      ok(sb.burrow(['start', m]));
    }
    try {
      expect(ok(sb.burrow(['shell', 'keep', '--', 'cat', '/root/mark'])).trim()).toBe('keep');
      expect(sb.burrow(['shell', 'keep', '--', 'test', '-e', '/etc/issue']).code).not.toBe(0);
      expect(sb.burrow(['shell', 'forget', '--', 'test', '-e', '/root/mark']).code).not.toBe(0);
      expect(sb.burrow(['shell', 'forget', '--', 'test', '-e', '/etc/issue']).code).toBe(0);
    } finally {
      ok(sb.burrow(['stop', 'keep']));
      ok(sb.burrow(['stop', 'forget']));
    }
    expect(treeListing(image)).toBe(before);
    // Reset discards the persistent machine's changes.
    ok(sb.burrow(['reset', 'keep']));
    ok(sb.burrow(['start', 'keep']));
    expect(sb.burrow(['shell', 'keep', '--', 'test', '-e', '/root/mark']).code).not.toBe(0);
    ok(sb.burrow(['stop', 'keep']));
    // The image cannot go while machines use it.
    const r = sb.burrow(['image', 'rm', 'base']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('image "base" is used by machines forget, keep');
    ok(sb.burrow(['rm', 'keep']));
    ok(sb.burrow(['rm', 'forget']));
    expect(fs.existsSync(path.join(sb.env.XDG_DATA_HOME!, 'burrow', 'overlays', 'keep'))).toBe(false);
    ok(sb.burrow(['image', 'rm', 'base']));
    expect(storeEntries()).not.toContain('base');
  });
});

describe('bad input, each refused with nothing left behind', () => {
  const outside = () => path.join(sb.root, 'outside');

  beforeAll(() => {
    fs.mkdirSync(outside());
    // Hostile archives, written with Python's tarfile (GNU tar will not write such names).
    py(`
import io, tarfile
def add(t, name, data=b'x', kind=tarfile.REGTYPE, link=''):
    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link; i.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
with tarfile.open('${fixtures}/dotdot.tar', 'w') as t:
    add(t, 'etc/os-release', b'NAME=x\\n'); add(t, '../../outside/dotdot-escaped')
with tarfile.open('${fixtures}/absolute.tar', 'w') as t:
    add(t, 'etc/os-release', b'NAME=x\\n'); add(t, '${outside()}/absolute-escaped')
with tarfile.open('${fixtures}/symlink.tar', 'w') as t:
    add(t, 'escape', kind=tarfile.SYMTYPE, link='${outside()}'); add(t, 'escape/symlink-escaped')
with tarfile.open('${fixtures}/noinit.tar', 'w') as t:
    add(t, 'etc/os-release', b'PRETTY_NAME="No init"\\n'); add(t, 'usr/bin/true')
`);
    fs.writeFileSync(path.join(fixtures, 'notes.txt'), 'not an image\n');
    const gz = fixture('licenses.tar.gz', (f) => sh(`tar -C /usr/share/common-licenses -czf ${f} .`));
    const size = fs.statSync(gz).size;
    fs.writeFileSync(path.join(fixtures, 'truncated.tar.gz'), fs.readFileSync(gz).subarray(0, Math.floor(size / 2)));
    const corrupt = Buffer.from(fs.readFileSync(gz));
    for (let i = 2048; i < corrupt.length; i += 97) corrupt[i] = (corrupt[i]! + 1) % 256;
    fs.writeFileSync(path.join(fixtures, 'corrupt.tar.gz'), corrupt);
  });

  it.each([
    ['a truncated archive', 'truncated.tar.gz', 8, /truncated or corrupt/],
    ['a corrupt archive', 'corrupt.tar.gz', 8, /truncated or corrupt|does not hold a readable tar archive/],
    ['../ entries', 'dotdot.tar', 8, /entries that climb out of its folder/],
    ['absolute paths', 'absolute.tar', 8, /absolute paths/],
    ['a symlink pointing out', 'symlink.tar', 8, /writes through a link that points out of its folder/],
    ['an unknown format', 'notes.txt', 2, /unknown format: .* is not a tar archive/],
    ['an image without an init', 'noinit.tar', 6, /has no init/],
  ])('%s', (_label, file, code, message) => {
    const r = sb.burrow(['image', 'import', 'bad', path.join(fixtures, file)]);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(message);
    // Progress lines aside, the error is one or two lines and its fix.
    expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('importing ')).length).toBeLessThanOrEqual(3);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(storeEntries()).not.toContain('bad');
    expect(storeEntries().filter((e) => e.startsWith('.'))).toEqual([]);
    expect(fs.readdirSync(outside())).toEqual([]);
  });

  it('a name clash', () => {
    const folder = sb.rootfs('debian12', 'in-place');
    ok(sb.burrow(['image', 'import', 'taken', folder]));
    const r = sb.burrow(['image', 'import', 'taken', imageTar('debian12')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('an image named "taken" already exists');
    expect(JSON.parse(ok(sb.burrow(['image', 'ls', '--json']))).find((i: { name: string }) => i.name === 'taken').inPlace).toBe(true);
    ok(sb.burrow(['image', 'rm', 'taken']));
    expect(fs.existsSync(path.join(folder, 'etc/os-release'))).toBe(true); // a folder used in place stays
  });

  it('not enough disk space', (ctx) => {
    const small = process.env.BURROW_TEST_SMALL_FS;
    // Counted as skipped, never as passed.
    if (!small) return ctx.skip('BURROW_TEST_SMALL_FS names no small file system (scripts/test-all.sh mounts one when run as root)');
    const data = fs.mkdtempSync(path.join(small, 'data-'));
    try {
      const r = sb.burrow(['image', 'import', 'big', imageTar('debian12')], { env: { XDG_DATA_HOME: data } });
      expect(r.code).toBe(9);
      expect(r.stderr).toMatch(/not enough disk space/);
      expect(fs.readdirSync(path.join(data, 'burrow', 'images'))).toEqual([]);
      // An archive that expands far beyond what its size suggests passes that check: tar meets the full
      // disk, and the answer is the same, with nothing kept.
      const zeros = path.join(fixtures, 'zeros.tar.zst');
      sh(`cd ${fixtures} && mkdir -p z/etc && echo 'NAME=zeros' > z/etc/os-release && head -c 150M /dev/zero > z/zeros && tar -C z -cf - . | zstd -q -19 > ${zeros} && rm -rf z`);
      const r2 = sb.burrow(['image', 'import', 'big', zeros], { env: { XDG_DATA_HOME: data } });
      expect(r2.code, r2.stderr).toBe(9);
      expect(r2.stderr).toMatch(/not enough disk space to unpack the image/);
      expect(fs.readdirSync(path.join(data, 'burrow', 'images'))).toEqual([]);
    } finally {
      asMappedRoot(['rm', '-rf', data]);
    }
  });

  it('Ctrl+C while importing cancels and keeps nothing', async () => {
    const child = spawn(process.execPath, [BURROW, 'image', 'import', 'cancelled', xzImage()], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let exit: number | null | undefined;
    child.on('exit', (code) => (exit = code));
    await waitFor(() => stderr.includes('unpacking') || exit !== undefined, 20_000, 'the import to begin');
    child.kill('SIGINT');
    await waitFor(() => exit !== undefined, 20_000, 'the import to stop');
    expect(exit).toBe(130);
    expect(stderr).toContain('import cancelled; nothing was kept');
    expect(storeEntries().filter((e) => e.includes('cancelled'))).toEqual([]);
  });
});

describe('a newcomer with no image', () => {
  it('builds a Debian image with one command and boots a machine from it', (ctx) => {
    // As the README's quick start has it, with apache2 (mmdebstrap's stream then outlasts tar's reading).
    const r = sb.burrow(['image', 'create', 'newcomer', '--debian', 'bookworm', '--packages', 'apache2'], { timeoutMs: 600_000 });
    if (r.code !== 0 && /could not build Debian bookworm.*(connect|resolve|Release)/is.test(r.stderr)) {
      return ctx.skip(`the Debian mirror cannot be reached from here (${r.stderr.trim().split('\n')[0]})`);
    }
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('created image newcomer: Debian GNU/Linux 12 (bookworm), systemd 252');
    ok(sb.burrow(['create', 'first', '--image', 'newcomer']));
    ok(sb.burrow(['start', 'first']));
    try {
      expect(ok(sb.burrow(['shell', 'first', '--', 'systemctl', 'is-system-running'])).trim()).toBe('running');
      expect(ok(sb.burrow(['shell', 'first', '--', 'systemctl', 'is-active', 'dbus'])).trim()).toBe('active');
      expect(apacheWorkersAs('first')).toContain('www-data');
    } finally {
      ok(sb.burrow(['stop', 'first']));
    }
  }, 660_000); // mmdebstrap downloads from the mirror: 15 s here, minutes on a slow link
});
