// The layer readers on hostile layouts: every file an image names is read from inside the archive only,
// as a regular file of the size the image declares. Built in a temporary folder with real links, FIFOs
// and sockets; nothing here needs the sandbox.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readArchiveJson, archiveFile, checkedReadStream } from './archive-files';
import { dockerSaveLayers, ociLayers } from './image-formats';

let dir: string;
let outside: string;
const SECRET = "the user's private key, never to be read";

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-archive-'));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-outside-'));
  fs.writeFileSync(path.join(outside, 'id_ed25519'), SECRET);
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const write = (rel: string, data: string | Buffer) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), data);
};
const link = (rel: string, target: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.symlinkSync(target, path.join(dir, rel));
};

/** An OCI layout whose one layer blob is made by `place` (a file, a link, a FIFO…), declared as `layer`. */
function ociLayout(layer: Buffer, place?: (blob: string) => void, declared = layer.length): void {
  const hex = sha(layer);
  const blob = `blobs/sha256/${hex}`;
  fs.mkdirSync(path.join(dir, 'blobs/sha256'), { recursive: true });
  if (place) place(path.join(dir, blob));
  else write(blob, layer);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${hex}`, size: declared }],
  });
  write(`blobs/sha256/${sha(manifest)}`, manifest);
  write('index.json', JSON.stringify({ schemaVersion: 2, manifests: [{ digest: `sha256:${sha(manifest)}`, size: manifest.length }] }));
  write('oci-layout', '{"imageLayoutVersion":"1.0.0"}');
}

/** A docker save archive, unpacked, listing `layers` (paths inside it) in manifest.json. */
function dockerSave(layers: string[], config?: string): void {
  write('manifest.json', JSON.stringify([{ Config: config, Layers: layers }]));
}

const LAYER = Buffer.alloc(1024); // an empty tar: two zero blocks

describe('layers are read only from inside the archive', () => {
  it("follows links that stay inside: podman's <id>/layer.tar -> ../<digest>.tar, and a duplicate layer linked to the first", () => {
    write(`${'d'.repeat(64)}.tar`, LAYER);
    link('aaa/layer.tar', `../${'d'.repeat(64)}.tar`);
    link('bbb/layer.tar', '../aaa/layer.tar');
    dockerSave(['aaa/layer.tar', 'bbb/layer.tar']);
    const layers = dockerSaveLayers(dir);
    expect(layers.map((l) => l.file.path)).toEqual([
      fs.realpathSync(path.join(dir, `${'d'.repeat(64)}.tar`)),
      fs.realpathSync(path.join(dir, `${'d'.repeat(64)}.tar`)),
    ]);
    expect(layers[0]!.file.size).toBe(1024);
  });

  it.each([
    ['a symlink to a private file', () => link('aaa/layer.tar', path.join(outside, 'id_ed25519')), /is a link that leads outside the archive/],
    ['a relative symlink climbing out', () => link('aaa/layer.tar', `../../${path.basename(outside)}/id_ed25519`), /is a link that leads outside the archive/],
    ['a folder symlinked out', () => fs.symlinkSync(outside, path.join(dir, 'aaa')), /is a link that leads outside the archive/],
    ['a dangling link out', () => link('aaa/layer.tar', '/nonexistent/burrow/layer.tar'), /is a link that leads outside the archive/],
    ['a symlink to /dev/zero', () => link('aaa/layer.tar', '/dev/zero'), /is a link that leads outside the archive/],
    ['a FIFO', () => (fs.mkdirSync(path.join(dir, 'aaa')), execFileSync('mkfifo', [path.join(dir, 'aaa/layer.tar')])), /is a FIFO, not a regular file/],
    ['a folder', () => fs.mkdirSync(path.join(dir, 'aaa/layer.tar'), { recursive: true }), /is a folder, not a regular file/],
    ['a loop of links', () => (link('aaa/layer.tar', 'loop'), link('aaa/loop', 'layer.tar')), /is a loop of links/],
  ])('refuses a docker layer that is %s, before reading it', (_label, make, message) => {
    make();
    dockerSave(['aaa/layer.tar']);
    expect(() => dockerSaveLayers(dir)).toThrow(message);
  });

  it('refuses a layer that is a socket', async () => {
    fs.mkdirSync(path.join(dir, 'aaa'));
    const server = net.createServer().listen(path.join(dir, 'aaa/layer.tar'));
    await new Promise((r) => server.once('listening', r));
    try {
      dockerSave(['aaa/layer.tar']);
      expect(() => dockerSaveLayers(dir)).toThrow(/is a socket, not a regular file/);
    } finally {
      server.close();
    }
  });

  it.each([
    ['climbs with ..', '../outside.tar'],
    ['is absolute', '/etc/passwd'],
  ])('refuses a manifest path that %s', (_label, rel) => {
    dockerSave([rel]);
    expect(() => dockerSaveLayers(dir)).toThrow(/the archive's manifest points outside it/);
  });

  it('refuses a config that is a link to a private file, without quoting it', () => {
    write('aaa/layer.tar', LAYER);
    link('config.json', path.join(outside, 'id_ed25519'));
    dockerSave(['aaa/layer.tar'], 'config.json');
    expect(() => dockerSaveLayers(dir)).toThrow(/the docker image config config.json is a link that leads outside the archive/);
  });

  it('an OCI index that is a link to a private file is refused, and nothing of it reaches the message', () => {
    ociLayout(LAYER);
    fs.rmSync(path.join(dir, 'index.json'));
    fs.writeFileSync(path.join(outside, 'index.json'), SECRET);
    link('index.json', path.join(outside, 'index.json'));
    let message = '';
    try {
      ociLayers(dir);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/the OCI index index.json is a link that leads outside the archive/);
    expect(message).not.toContain('private');
  });

  it('a malformed JSON document is reported without quoting its content', () => {
    ociLayout(LAYER);
    fs.writeFileSync(path.join(dir, 'index.json'), `${SECRET} \x1b[2J`);
    expect(() => ociLayers(dir)).toThrow(/^the OCI index \(index.json\) is not valid JSON$/);
  });

  it.each([
    ['a symlink to /dev/zero', (blob: string) => fs.symlinkSync('/dev/zero', blob), /a layer blobs\/sha256\/\w+ is a link that leads outside the archive/],
    ['a symlink to a private file', (blob: string) => fs.symlinkSync(path.join(outside, 'id_ed25519'), blob), /is a link that leads outside the archive/],
    ['a FIFO', (blob: string) => execFileSync('mkfifo', [blob]), /is a FIFO, not a regular file/],
  ])('refuses an OCI blob that is %s', (_label, place, message) => {
    ociLayout(LAYER, place);
    expect(() => ociLayers(dir)).toThrow(message);
  });

  it.each([
    ['longer', LAYER.length - 512],
    ['shorter', LAYER.length + 512],
  ])('refuses an OCI blob %s than its descriptor declares, before reading it', (_label, declared) => {
    ociLayout(LAYER, undefined, declared);
    expect(() => ociLayers(dir)).toThrow(new RegExp(`is 1024 bytes, but the image declares ${declared}`));
  });

  it('refuses a descriptor without a size', () => {
    ociLayout(LAYER);
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
    delete index.manifests[0].size;
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
    expect(() => ociLayers(dir)).toThrow(/the OCI image's index lists sha256:\w+ without a valid size/);
  });

  it('refuses a manifest whose content does not match its digest', () => {
    ociLayout(LAYER);
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
    const blob = path.join(dir, 'blobs/sha256', index.manifests[0].digest.slice(7));
    fs.writeFileSync(blob, '{"layers":[]}'.padEnd(fs.statSync(blob).size));
    expect(() => ociLayers(dir)).toThrow(/the OCI manifest is corrupt: its content does not match its digest/);
  });

  it('an OCI layout of regular files gives its layer with the declared size', () => {
    ociLayout(LAYER);
    const [layer] = ociLayers(dir);
    expect(layer).toMatchObject({ compression: 'none', file: { size: 1024 }, digest: { of: 'file', hex: sha(LAYER) } });
  });
});

describe('checked reads', () => {
  it('stop at the checked size, and refuse a file that changed since it was checked', async () => {
    write('blob', 'x'.repeat(100));
    const file = archiveFile(dir, 'blob', 'a blob');
    let read = 0;
    for await (const chunk of checkedReadStream(file)) read += (chunk as Buffer).length;
    expect(read).toBe(100);
    fs.appendFileSync(path.join(dir, 'blob'), 'more');
    expect(() => checkedReadStream(file)).toThrow(/changed while it was imported/);
  });

  it('refuse a JSON document far bigger than any manifest', () => {
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 17 * 1024 ** 2);
    expect(() => readArchiveJson(archiveFile(dir, 'big.json', 'the docker manifest'), 'the docker manifest')).toThrow(/more than any real one/);
  });
});
