import { describe, expect, it } from 'vitest';
import { classifyEntries, sniffCompression } from './image-formats';
import { explainTarErrors, tarExtractArgs } from './tar-extract';

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

  it('turns tar\'s complaints into reasons, and ignores the harmless ones', () => {
    expect(explainTarErrors("tar: ../x: Member name contains '..'\ntar: Exiting with failure status due to previous errors", 2)?.message).toMatch(/climb out of its folder/);
    expect(explainTarErrors("tar: Removing leading `/' from member names", 0)?.message).toMatch(/absolute paths/);
    expect(explainTarErrors('tar: ./big: Wrote only 512 of 10240 bytes', 2)?.code).toBe('no-space');
    expect(explainTarErrors('gzip: stdin: unexpected end of file\ntar: Unexpected EOF in archive', 2)?.message).toMatch(/truncated or corrupt/);
    expect(explainTarErrors('tar: ./dev/null: Cannot mknod: Operation not permitted', 2)).toBeUndefined();
    expect(explainTarErrors('', 0)).toBeUndefined();
    expect(explainTarErrors('tar: something odd', 2)?.message).toMatch(/tar could not unpack the archive: something odd/);
  });
});
