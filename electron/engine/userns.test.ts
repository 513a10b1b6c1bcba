import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildIdMap, buildTreeMap } from './idmap';
import { HOLDER_SCRIPT, userNamespacePrefix } from './userns';

const tools = { unshare: '/usr/bin/unshare', newuidmap: '/usr/bin/newuidmap', newgidmap: '/usr/bin/newgidmap', nsenter: '/usr/bin/nsenter' };
const you = { uid: 1001, gid: 1001 };
const range = { start: 100000, count: 65536 };

describe('entering a user namespace with a map', () => {
  it('uses unshare itself for the maps it can write: the old one and the tree map', () => {
    expect(userNamespacePrefix(buildIdMap('auto', you, { uid: range, gid: range }), tools)).toEqual([
      '/usr/bin/unshare',
      '--user',
      '--map-auto',
      '--map-root-user',
      '--',
    ]);
    expect(userNamespacePrefix(buildTreeMap(you, { uid: range, gid: range }), tools, { mount: true })).toEqual([
      '/usr/bin/unshare',
      '--user',
      '--map-root-user',
      '--map-users=100000,1,65536',
      '--map-groups=100000,1,65536',
      '--mount',
      '--',
    ]);
    expect(userNamespacePrefix(buildIdMap('single', you), tools)).toEqual([]);
  });

  it("writes the share user's map with newuidmap and newgidmap through the holder step, then a mount namespace if asked", () => {
    const map = buildIdMap('auto', you, { uid: range, gid: range }, { uid: 1000, gid: 1000 });
    const argv = userNamespacePrefix(map, tools, { mount: true });
    expect(argv.slice(0, 4)).toEqual(['/bin/sh', '-c', HOLDER_SCRIPT, 'burrow-userns']);
    expect(argv.slice(4)).toEqual([
      '/usr/bin/unshare',
      '/usr/bin/newuidmap',
      '/usr/bin/newgidmap',
      '/usr/bin/nsenter',
      '0 100000 1000 1000 1001 1 1001 101001 64535',
      '0 100000 1000 1000 1001 1 1001 101001 64535',
      '/usr/bin/unshare',
      '--mount',
      '--',
    ]);
  });

  it('gives up with one line, and no holder left waiting, when the namespace cannot be made', () => {
    // `false` stands in for an unshare that is refused (user namespaces off, AppArmor): the step must not hang.
    const r = spawnSync('/bin/sh', ['-c', HOLDER_SCRIPT, 'burrow-userns', 'false', 'true', 'true', 'nsenter', '0 1 1', '0 1 1', 'echo', 'ran'], {
      encoding: 'utf8',
      timeout: 5000,
    });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('burrow: the id map (0 1 1 / 0 1 1) could not be set up: see burrow doctor\n');
  });

  it('gives up the same way when newuidmap refuses the map, and ends the holder', () => {
    const r = spawnSync('/bin/sh', ['-c', HOLDER_SCRIPT, 'burrow-userns', 'unshare', 'false', 'true', 'nsenter', '0 1 1', '0 1 1', 'echo', 'ran'], {
      encoding: 'utf8',
      timeout: 5000,
    });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/could not be set up/);
  });
});
