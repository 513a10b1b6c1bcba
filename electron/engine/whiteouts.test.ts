// Whiteout names taken literally: GNU tar's escaped listing (the real tar, on an archive Python writes
// with names GNU tar itself would refuse to make) comes back byte for byte, and hostile whiteouts are refused.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unescapeTarName, whiteoutOp } from './whiteouts';

/** Names as bytes (latin1 strings): a newline, a backslash, tar-quoting look-alikes, UTF-8, controls. */
const ODD_NAMES = [
  'etc/a\nb',
  'etc/back\\slash',
  'etc/looks\\nescaped',
  'etc/octal\\101',
  'etc/tab\there',
  'etc/quote"s\'',
  'etc/caf\xc3\xa9',
  'etc/raw\xff\x01\x7f',
  'etc/ trailing space ',
  'etc/-rf',
  'etc/??=trigraph',
];

function listedByTar(names: string[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-wh-'));
  try {
    const tar = path.join(dir, 'odd.tar');
    const script = `
import io, sys, tarfile
names = [bytes.fromhex(h).decode('utf-8', 'surrogateescape') for h in sys.argv[2:]]
with tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT, encoding='utf-8', errors='surrogateescape') as t:
    for n in names:
        i = tarfile.TarInfo(n); i.size = 0; t.addfile(i, io.BytesIO(b''))
`;
    execFileSync('python3', ['-c', script, tar, ...names.map((n) => Buffer.from(n, 'latin1').toString('hex'))]);
    const out = execFileSync('tar', ['-t', '--quoting-style=escape', '-f', tar], { env: { ...process.env, LC_ALL: 'C' } }).toString('latin1');
    return out.split('\n').slice(0, -1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('tar listings, unescaped', () => {
  it('give back every name byte for byte, one line each', () => {
    const lines = listedByTar(ODD_NAMES);
    expect(lines).toHaveLength(ODD_NAMES.length);
    for (const line of lines) expect(line).toMatch(/^[\x20-\x7e]*$/); // one printable line per name, whatever it holds
    expect(lines.map(unescapeTarName)).toEqual(ODD_NAMES);
  });

  it('keep whiteouts of odd names as the exact names to delete', () => {
    const whiteouts = ODD_NAMES.map((n) => n.replace('etc/', 'etc/.wh.'));
    const ops = listedByTar(whiteouts).map((l) => whiteoutOp(unescapeTarName(l), l));
    expect(ops).toEqual(ODD_NAMES.map((n) => ({ kind: 'remove', path: `./${n}` })));
  });
});

describe('whiteouts', () => {
  it.each([
    ['etc/.wh.motd', { kind: 'remove', path: './etc/motd' }],
    ['./etc/.wh.motd', { kind: 'remove', path: './etc/motd' }],
    ['.wh.top', { kind: 'remove', path: './top' }],
    ['opt/app/.wh..wh..opq', { kind: 'empty', path: './opt/app' }],
    ['.wh..wh..opq', { kind: 'empty', path: '.' }],
    ['-rf/.wh.--no-preserve-root', { kind: 'remove', path: './-rf/--no-preserve-root' }],
    ['etc/.wh..hidden', { kind: 'remove', path: './etc/.hidden' }],
    ['etc/.wh.foo/', { kind: 'remove', path: './etc/foo' }],
  ])('%s deletes what it names, and only that', (name, op) => {
    expect(whiteoutOp(name)).toEqual(op);
  });

  it.each(['etc/motd', 'etc/', 'etc/x.wh.y', '.wh..wh.plnk', 'var/.wh..wh.aufs', '.wh..wh.plnk/123'])('%s deletes nothing', (name) => {
    expect(whiteoutOp(name)).toBeUndefined();
  });

  it.each([
    ['etc/.wh..', /would delete its own folder/],
    ['etc/.wh.', /would delete its own folder/],
    ['.wh.', /would delete its own folder/],
    ['etc/.wh...', /climbs out of the image/],
    ['../etc/.wh.passwd', /climbs out of the image/],
    ['etc/../../.wh.home', /climbs out of the image/],
    ['./../.wh.x', /climbs out of the image/],
    ['/home/.wh.user', /names an absolute path/],
    ['../.wh..wh..opq', /climbs out of the image/],
  ])('%s is refused', (name, message) => {
    expect(() => whiteoutOp(name)).toThrow(message);
  });

  it('names what it refuses in a printable form', () => {
    expect(() => whiteoutOp('../\x1b[2J\n/.wh.x')).toThrow(/\(..\/\\u001b\[2J\\n\/.wh.x\)/);
  });
});
