import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { classifyEntries, sniffCompression } from './image-formats';
import { explainTarErrors, feed, tarExtractArgs } from './tar-extract';

describe('image formats', () => {
  it('knows compressions by their magic bytes, and a tar by its ustar header', () => {
    expect(sniffCompression(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(sniffCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1]))).toBe('xz');
    expect(sniffCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBe('zstd');
    const tar = Buffer.alloc(512);
    tar.write('ustar', 257, 'latin1');
    expect(sniffCompression(tar)).toBe('none');
    expect(sniffCompression(Buffer.from('just text\n'))).toBeUndefined();
  });

  it('tells a rootfs tarball from an oci-archive and a docker save archive by their first entries', () => {
    expect(classifyEntries(['./', './etc/', './etc/os-release', './usr/'])).toBe('tarball');
    expect(classifyEntries(['blobs/', 'blobs/sha256/', 'index.json', 'oci-layout'])).toBe('oci-archive');
    expect(classifyEntries(['./', './blobs/', './blobs/sha256/abc'])).toBe('oci-archive');
    expect(classifyEntries([`${'a'.repeat(64)}/`, `${'a'.repeat(64)}/layer.tar`])).toBe('docker-save');
    expect(classifyEntries(['manifest.json', 'repositories'])).toBe('docker-save');
  });
});

describe('tar', () => {
  it('keeps numeric owners and permissions, leaves device nodes out, and skips whiteouts only for layers', () => {
    const args = tarExtractArgs('zstd');
    expect(args).toEqual(expect.arrayContaining(['--numeric-owner', '-p', '--zstd', '--exclude=./dev/*']));
    expect(args).not.toContain('--exclude=.wh.*');
    expect(tarExtractArgs('none', true)).toContain('--exclude=.wh.*');
  });

  it("turns tar's complaints into reasons, and ignores the harmless ones", () => {
    expect(explainTarErrors("tar: ../x: Member name contains '..'\ntar: Exiting with failure status due to previous errors", 2)?.message).toMatch(
      /climb out of its folder/,
    );
    expect(explainTarErrors("tar: Removing leading `/' from member names", 0)?.message).toMatch(/absolute paths/);
    expect(explainTarErrors('tar: ./big: Wrote only 512 of 10240 bytes', 2)?.code).toBe('no-space');
    expect(explainTarErrors('gzip: stdin: unexpected end of file\ntar: Unexpected EOF in archive', 2)?.message).toMatch(/truncated or corrupt/);
    expect(explainTarErrors('tar: ./dev/null: Cannot mknod: Operation not permitted', 2)).toBeUndefined();
    expect(explainTarErrors('', 0)).toBeUndefined();
    expect(explainTarErrors('tar: something odd', 2)?.message).toMatch(/tar could not unpack the archive: something odd/);
    const huge = `tar: ${'x'.repeat(1 << 20)}: Cannot open: File name too long`;
    expect(explainTarErrors(huge, 2)?.message).toBe('the archive holds a name longer than any file system allows');
    expect(explainTarErrors(`tar: ${'y'.repeat(1 << 20)}: Cannot open: odd`, 2)!.message.length).toBeLessThan(300);
  });
});

describe('feeding tar', () => {
  /** A source that never ends (a layer that was /dev/zero, a producer that hangs); asynchronous, as a file is. */
  const endless = () =>
    new Readable({
      read() {
        setImmediate(() => this.push(Buffer.alloc(64 * 1024)));
      },
    });

  it('cancel stops reading a source that never ends, after tar stopped early', async () => {
    const source = endless();
    const sink = new PassThrough();
    const controller = new AbortController();
    let read = 0;
    const done = feed(source, sink, (c) => (read += c.length), controller.signal);
    sink.resume();
    // tar saw its end-of-archive blocks and exited: the rest is still read, for the digest.
    await new Promise((r) => setTimeout(r, 20));
    sink.destroy();
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const outcome = await Promise.race([done.then(() => 'stopped'), new Promise((r) => setTimeout(() => r('still reading'), 2000))]);
    expect(outcome).toBe('stopped');
    const after = read;
    await new Promise((r) => setTimeout(r, 50));
    expect(read).toBe(after);
    expect(source.destroyed).toBe(true);
  });

  it('cancel stops a source that never ends while tar still reads', async () => {
    const source = endless();
    const sink = new PassThrough({ highWaterMark: 1024 }); // never read: backpressure holds the source
    const controller = new AbortController();
    const done = feed(source, sink, () => undefined, controller.signal);
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const outcome = await Promise.race([done.then(() => 'stopped'), new Promise((r) => setTimeout(() => r('still reading'), 2000))]);
    expect(outcome).toBe('stopped');
    expect(source.destroyed).toBe(true);
  });
});
