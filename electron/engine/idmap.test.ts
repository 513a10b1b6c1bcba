import { describe, expect, it } from 'vitest';
import { buildIdMap, buildTreeMap, describeIdMap, guestUidFor, hostUidFor, isMappedOwner, legacyLines, mapArgs, parseSubidRanges, userLines } from './idmap';

const range = { start: 100000, count: 65536 };
const you = { uid: 1001, gid: 1001 };

describe('id mapping', () => {
  it('finds the first range of a user by name or uid', () => {
    const text = 'bob:200000:65536\nalice:100000:65536\nalice:300000:1000\n1002:400000:10\n';
    expect(parseSubidRanges(text, 'alice', 1001)).toEqual({ start: 100000, count: 65536 });
    expect(parseSubidRanges(text, 'carol', 1002)).toEqual({ start: 400000, count: 10 });
    expect(parseSubidRanges(text, 'dave', 1003)).toBeUndefined();
  });

  it('maps a machine of the old kind as unshare --map-auto --map-root-user does: root is you', () => {
    const map = buildIdMap('auto', you, { uid: range, gid: range });
    expect(map.kind).toBe('legacy');
    expect(mapArgs(map.uidLines)).toBe('0 1001 1 1 100000 65535'); // measured with unshare 2.38
    expect(hostUidFor(map, 0)).toBe(1001);
    expect(hostUidFor(map, 33)).toBe(100032); // www-data
    expect(hostUidFor(map, 65535)).toBe(165534);
    expect(hostUidFor(map, 65536)).toBeUndefined();
    expect(isMappedOwner(map, 100032, 100032)).toBe(true);
    expect(isMappedOwner(map, 0, 0)).toBe(false);
  });

  it('maps a machine with a share user: that user is you, root and everyone else are subordinate ids', () => {
    const map = buildIdMap('auto', you, { uid: range, gid: range }, { uid: 1000, gid: 1000 });
    expect(map.kind).toBe('user');
    expect(map.uidLines).toEqual([
      { inside: 0, outside: 100000, count: 1000 },
      { inside: 1000, outside: 1001, count: 1 },
      { inside: 1001, outside: 101001, count: 64535 },
    ]);
    expect(mapArgs(map.gidLines)).toBe('0 100000 1000 1000 1001 1 1001 101001 64535');
    expect(hostUidFor(map, 0)).toBe(100000); // root is not your account
    expect(hostUidFor(map, 1000)).toBe(1001);
    expect(guestUidFor(map, 1001)).toBe(1000); // your files show as the share user's
    expect(hostUidFor(map, 33)).toBe(100033);
    expect(guestUidFor(map, 101000)).toBeUndefined(); // the id the share user stands in for has no place
    expect(describeIdMap(map)).toMatch(/uid 1000 inside is you \(uid 1001\).*root is subordinate id 100000, not your account/);
  });

  it('keeps every other guest id where it is whichever user is you, so one image serves every machine', () => {
    const def = buildIdMap('auto', you, { uid: range, gid: range }, { uid: 1000, gid: 1000 });
    const www = buildIdMap('auto', you, { uid: range, gid: range }, { uid: 33, gid: 33 });
    for (const guest of [0, 1, 100, 999, 1001, 5000, 65535]) expect(hostUidFor(www, guest)).toBe(hostUidFor(def, guest));
    expect(hostUidFor(www, 33)).toBe(1001);
    expect(hostUidFor(www, 1000)).toBe(101000);
  });

  it('cuts no empty line, and places a share user beyond a small range after it', () => {
    expect(userLines(1001, range, 1)).toEqual([
      { inside: 0, outside: 100000, count: 1 },
      { inside: 1, outside: 1001, count: 1 },
      { inside: 2, outside: 100002, count: 65534 },
    ]);
    expect(userLines(1001, { start: 100000, count: 10 }, 1000)).toEqual([
      { inside: 0, outside: 100000, count: 10 },
      { inside: 1000, outside: 1001, count: 1 },
    ]);
    expect(legacyLines(1001, { start: 5, count: 1 })).toEqual([{ inside: 0, outside: 1001, count: 1 }]);
  });

  it('gives file operations every host id any layout uses: you as root and the whole range', () => {
    const tree = buildTreeMap(you, { uid: range, gid: range });
    expect(mapArgs(tree.uidLines)).toBe('0 1001 1 1 100000 65536');
    // Both an old image (root yours) and a new one (root the range's first id, uid 1000 yours) keep every owner.
    for (const host of [1001, 100000, 100033, 165535]) expect(guestUidFor(tree, host)).toBeDefined();
  });

  it('maps only root in single mode', () => {
    const map = buildIdMap('single', you);
    expect(map.kind).toBe('single');
    expect(hostUidFor(map, 33)).toBeUndefined();
    expect(isMappedOwner(map, 1001, 1001)).toBe(true);
    expect(isMappedOwner(map, 100032, 100032)).toBe(false);
  });
});
