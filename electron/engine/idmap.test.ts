import { describe, expect, it } from 'vitest';
import { buildIdMap, hostUidFor, isMappedOwner, parseSubidRanges } from './idmap';

describe('id mapping', () => {
  it('finds the first range of a user by name or uid', () => {
    const text = 'bob:200000:65536\nalice:100000:65536\nalice:300000:1000\n1002:400000:10\n';
    expect(parseSubidRanges(text, 'alice', 1001)).toEqual({ start: 100000, count: 65536 });
    expect(parseSubidRanges(text, 'carol', 1002)).toEqual({ start: 400000, count: 10 });
    expect(parseSubidRanges(text, 'dave', 1003)).toBeUndefined();
  });

  it('maps guest ids as unshare --map-auto --map-root-user does', () => {
    const map = buildIdMap('auto', 1001, 1001, { uid: { start: 100000, count: 65536 }, gid: { start: 100000, count: 65536 } });
    expect(hostUidFor(map, 0)).toBe(1001);
    expect(hostUidFor(map, 33)).toBe(100032); // www-data
    expect(hostUidFor(map, 65535)).toBe(165534);
    expect(hostUidFor(map, 65536)).toBeUndefined();
    expect(isMappedOwner(map, 100032, 100032)).toBe(true);
    expect(isMappedOwner(map, 0, 0)).toBe(false);
  });

  it('maps only root in single mode', () => {
    const map = buildIdMap('single', 1001, 1001);
    expect(hostUidFor(map, 33)).toBeUndefined();
    expect(isMappedOwner(map, 1001, 1001)).toBe(true);
    expect(isMappedOwner(map, 100032, 100032)).toBe(false);
  });
});
