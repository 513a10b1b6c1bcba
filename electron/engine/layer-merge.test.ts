import { describe, expect, it } from 'vitest';
import { mergeRemovals, type LayerEntry } from './layer-merge';

const entries = (spec: string): LayerEntry[] =>
  spec
    .trim()
    .split(/\s+/)
    .map((s) => ({ type: s.slice(0, 1), path: s.slice(2) }));
const types = (spec: string) => new Map(entries(spec).map((e) => [e.path, e.type]));

describe('merging an upper layer onto a lower one', () => {
  it('removes below what a whiteout hides, and nothing it does not (the image may still hold it)', () => {
    const lower = types('d:etc f:etc/a f:etc/b');
    expect(mergeRemovals(entries('d:etc c:etc/a c:etc/image-only'), new Set(), lower)).toEqual(['etc/a']);
  });

  it('replaces an opaque folder whole, once, without listing what is inside it', () => {
    const lower = types('d:srv d:srv/www f:srv/www/old f:srv/www/older');
    expect(mergeRemovals(entries('d:srv d:srv/www f:srv/www/new'), new Set(['srv/www']), lower)).toEqual(['srv/www']);
  });

  it('removes a folder that a file replaces, and a file that a folder replaces', () => {
    const lower = types('d:opt d:opt/x f:opt/x/f f:opt/y');
    expect(mergeRemovals(entries('d:opt f:opt/x d:opt/y f:opt/y/z'), new Set(), lower)).toEqual(['opt/x', 'opt/y']);
  });

  it('removes a file before it is replaced (a hard link below must not be written through) and merges folders', () => {
    const lower = types('d:etc f:etc/passwd f:etc/group d:var');
    expect(mergeRemovals(entries('d:etc f:etc/passwd d:var f:var/new'), new Set(), lower)).toEqual(['etc/passwd']);
  });

  it("understands fuse-overlayfs's marks: .wh.NAME and .wh..wh..opq", () => {
    const lower = types('d:usr d:usr/share f:usr/share/a d:usr/lib f:usr/lib/b');
    expect(mergeRemovals(entries('d:usr d:usr/share f:usr/share/.wh.a d:usr/lib f:usr/lib/.wh..wh..opq'), new Set(), lower)).toEqual([
      'usr/share/a',
      'usr/lib',
    ]);
  });
});
