import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { entryPath, parsePax, TarFormatError, TarHeaderReader } from './tar-headers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-tarhdr-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Feeds an archive in small, odd-sized pieces, as a pipe would. */
function readAll(archive: Buffer, reader = new TarHeaderReader()) {
  const out = [];
  for (let i = 0; i < archive.length; i += 333) out.push(...reader.push(archive.subarray(i, i + 333)));
  return out;
}

describe('tar headers', () => {
  it('reads names, types and data of a real GNU tar archive, long names included, in pieces', () => {
    const src = path.join(dir, 'src');
    const long = 'd'.repeat(120);
    fs.mkdirSync(path.join(src, long), { recursive: true });
    fs.writeFileSync(path.join(src, 'first.json'), '{"a":1}');
    fs.writeFileSync(path.join(src, long, 'f'), 'x'.repeat(1500));
    fs.symlinkSync('first.json', path.join(src, 'link'));
    for (const format of ['gnu', 'posix']) {
      const archive = execFileSync('tar', [`--format=${format}`, '-C', src, '-cf', '-', './first.json', `./${long}`, './link']);
      const entries = readAll(archive, new TarHeaderReader((e) => entryPath(e.name) === 'first.json'));
      expect(entries.map((e) => [entryPath(e.name), e.type])).toEqual([
        ['first.json', '0'],
        [long, '5'],
        [`${long}/f`, '0'],
        ['link', '2'],
      ]);
      expect(entries[0]!.data?.toString()).toBe('{"a":1}');
      expect(entries[2]!.data).toBeUndefined();
    }
  });

  it('reads xattrs from pax records (their length counts its own digits)', () => {
    const record = (kv: string) => `${kv.length + 4} ${kv}\n`; // two digits and a space, for these
    const pax = Buffer.from(record('SCHILY.xattr.user.overlay.opaque=y') + record('path=a/b'));
    expect(parsePax(pax).get('SCHILY.xattr.user.overlay.opaque')?.toString()).toBe('y');
    expect(parsePax(pax).get('path')?.toString()).toBe('a/b');
  });

  it('refuses garbage, a lying checksum and sizes beyond its bounds', () => {
    expect(() => new TarHeaderReader().push(Buffer.alloc(512, 0x41))).toThrow(TarFormatError);
    const archive = execFileSync('tar', ['-C', dir, '-cf', '-', 'src/first.json']);
    const bad = Buffer.from(archive);
    bad[0] = bad[0]! ^ 1;
    expect(() => new TarHeaderReader().push(bad)).toThrow(/checksum/);
    const huge = path.join(dir, 'huge');
    fs.writeFileSync(huge, Buffer.alloc(4096));
    const big = execFileSync('tar', ['-C', dir, '-cf', '-', 'huge']);
    expect(() => readAll(big, new TarHeaderReader(() => true, 1024))).toThrow(/more than 1024/);
    expect(() => parsePax(Buffer.from('99999 path=x\n'))).toThrow(/malformed/);
  });

  it('stops at the end-of-archive blocks', () => {
    const reader = new TarHeaderReader();
    expect(reader.push(Buffer.alloc(1024))).toEqual([]);
    expect(reader.ended).toBe(true);
  });
});
