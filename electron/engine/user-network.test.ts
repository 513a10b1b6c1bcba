// The user network in the launch plan: which machines join one, how their user namespace is made inside
// the network's, and the id maps in that namespace's terms.
import { describe, expect, it } from 'vitest';
import { defaultProfile, type MachineProfile } from '../contract/profile';
import { buildIdMap, treeLines } from './idmap';
import { buildLaunchPlan } from './launch-plan';
import type { RootfsInfo } from './rootfs';
import { hybridHost, unifiedHost } from './test-host-facts';
import { formatMapLines, nestMapLines, NETWORK_KEEPER_PLACEHOLDER, networkRuntimeDir, networkUnitName } from './user-network';

const profile = (patch: Partial<MachineProfile> = {}): MachineProfile => ({
  ...defaultProfile({ name: 'web', rootfs: '/images/deb12', machineId: '0123456789abcdef0123456789abcdef' }),
  ...patch,
});
const rootfs: RootfsInfo = { rootfs: '/images/deb12', init: ['/usr/lib/systemd/systemd'], systemdVersion: 252, ownership: [] };
const runtimeDir = '/run/user/1001/burrow/web';
const supervised = (p = profile(), host = hybridHost(), extra = {}) =>
  buildLaunchPlan({ profile: p, host, rootfs, runtimeDir, infoPath: `${runtimeDir}/bwrap-info.json`, ...extra });

describe('which machines join a user network', () => {
  it('a supervised nat machine joins the default network, in the runtime folder beside the machines', () => {
    const net = supervised().network.userNetwork!;
    expect(net.name).toBe('default');
    expect(net.dir).toBe('/run/user/1001/burrow/.networks/default');
    expect(net.socket).toBe('/run/user/1001/burrow/.networks/default/holder.sock');
  });

  it('a named network is its own', () => {
    expect(supervised(profile({ network: { mode: 'nat', ports: [], name: 'lab' } })).network.userNetwork!.dir).toBe(
      networkRuntimeDir('/run/user/1001/burrow', 'lab'),
    );
  });

  it.each([
    ['isolated', { mode: 'isolated' as const, ports: [] }],
    ['host', { mode: 'host' as const, ports: [] }],
    ['nat --network-name none', { mode: 'nat' as const, ports: [], name: 'none' }],
  ])('an %s machine joins none and starts as before', (_mode, network) => {
    const p = supervised(profile({ network }));
    expect(p.network.userNetwork).toBeUndefined();
    expect(p.argv.join(' ')).not.toContain(NETWORK_KEEPER_PLACEHOLDER);
    expect(p.warnings.join(' ')).not.toContain('user network');
  });

  it('a command pasted by hand has no network helper, so it joins none either (and pastes as before)', () => {
    const byHand = buildLaunchPlan({ profile: profile(), host: hybridHost(), rootfs, runtimeDir });
    expect(byHand.network.userNetwork).toBeUndefined();
    expect(byHand.argv).toContain('--map-auto');
  });

  it.each([
    ['a single-uid mapping', profile({ idMapping: 'single' }), hybridHost(), 'that needs the full id mapping'],
    ['no ip command', profile(), hybridHost({ network: { ...hybridHost().network, ip: undefined } }), 'the ip command (package iproute2) is missing'],
    ['no nsenter', profile(), hybridHost({ nsenter: undefined }), 'nsenter (package util-linux) is missing'],
  ])('with %s it joins none, and says why', (_what, p, host, why) => {
    const plan = supervised(p, host);
    expect(plan.network.userNetwork).toBeUndefined();
    expect(plan.warnings).toContainEqual(expect.stringContaining(`the machine joins no user network (other machines cannot reach it by name): ${why}`));
  });
});

describe("the machine's user namespace inside the network's", () => {
  it("enters the keeper's user namespace, and there makes the machine's and enters it as root before bwrap", () => {
    const { argv, bwrapIndex } = supervised();
    const prefix = argv.slice(argv.indexOf('/usr/bin/nsenter'), bwrapIndex);
    expect(prefix.slice(0, 3)).toEqual(['/usr/bin/nsenter', `--user=/proc/${NETWORK_KEEPER_PLACEHOLDER}/ns/user`, '--']);
    expect(prefix.slice(prefix.indexOf('burrow-userns'))).toEqual([
      'burrow-userns',
      runtimeDir,
      expect.any(String),
      expect.any(String),
      '/usr/bin/unshare',
      '/usr/bin/nsenter',
    ]);
    // newuidmap cannot work from inside N: no --map-auto, the maps are written by a process of N.
    expect(argv).not.toContain('--map-auto');
    expect(argv.slice(bwrapIndex)).not.toContain('--unshare-user');
  });

  it("passes the maps in the network namespace's terms: the same host ids as a machine outside one", () => {
    // The network's namespace maps you and your whole range (100000-165535); this machine uses 100000-165534.
    const net = supervised().network.userNetwork!;
    expect(net.uidMap).toBe('0 0 1\n1 1 65535\n');
    expect(net.gidMap).toBe('0 0 1\n1 1 65535\n');
  });

  it("nests a share user's map too: you are that user inside, root a subordinate id", () => {
    const net = supervised(profile({ shareUser: { name: 'ann', uid: 1000, gid: 1000 } })).network.userNetwork!;
    expect(net.uidMap).toBe('0 1 1000\n1000 0 1\n1001 1002 64535\n');
    expect(net.gidMap).toBe('0 1 1000\n1000 0 1\n1001 1002 64535\n');
  });

  it('makes a mount namespace too for an overlay, inside the new user namespace, and mounts it there', () => {
    const overlay = { lower: '/images/deb12', dir: '/o', upper: '/o/upper', work: '/o/work', merged: '/o/merged' };
    const { argv, bwrapIndex } = supervised(profile({ storage: 'persistent' }), hybridHost(), { overlay });
    const userns = argv.slice(0, bwrapIndex);
    const after = userns.slice(userns.indexOf('burrow-userns'));
    expect(after.slice(5, 9)).toEqual(['/usr/bin/nsenter', '/usr/bin/unshare', '--mount', '--']);
    expect(userns.indexOf('burrow-overlay')).toBeGreaterThan(userns.indexOf('burrow-userns'));
  });

  it("keeps the launch's fds for bwrap: the holder closes its copies of 3 and 4, and nsenter enters as root", () => {
    const { argv } = supervised();
    const enter = argv[argv.indexOf('burrow-userns') - 1]!;
    expect(enter).toContain('3>&- 4>&-');
    expect(enter).toContain('>"/proc/$h/uid_map"');
    expect(enter).toContain('exec "$n" --user=/proc/self/fd/8');
  });
});

describe("the holder's start", () => {
  it('is a detached `network-holder.js NAME` where machines are plain processes', () => {
    const { holder } = supervised().network.userNetwork!;
    expect(holder.argv.slice(-2)).toEqual([expect.stringMatching(/\/network-holder\.js$/), 'default']);
    expect(holder.unit).toBeUndefined();
    expect(holder.env.XDG_RUNTIME_DIR).toBeDefined();
  });

  it("is a transient unit of the user's systemd where machines are units, named so no machine's unit can clash", () => {
    const manager = {
      cgroupDir: '/sys/fs/cgroup/user.slice/user-1001.slice/user@1001.service',
      controllers: [],
      linger: false,
      runtimeDir: '/run/user/1001',
      systemctl: '/usr/bin/systemctl',
      systemdRun: '/usr/bin/systemd-run',
    };
    const { holder } = supervised(profile(), unifiedHost({ userManager: { facts: manager } })).network.userNetwork!;
    expect(holder.unit).toMatch(/^burrow-network\.default\.[0-9a-f]{8}\.service$/);
    expect(holder.argv.slice(0, 5)).toEqual(['env', 'XDG_RUNTIME_DIR=/run/user/1001', '/usr/bin/systemd-run', '--user', `--unit=${holder.unit}`]);
    const command = holder.argv.slice(holder.argv.indexOf('--') + 1);
    expect(command.slice(-2)).toEqual([expect.stringMatching(/\/network-holder\.js$/), 'default']);
    expect(holder.argv).toContain('--collect');
    expect(networkUnitName('default', '/a')).not.toMatch(/^burrow-[a-z0-9][a-z0-9_-]*\.service$/);
    expect(networkUnitName('default', '/run/user/1001/burrow/.networks/default')).not.toBe(
      networkUnitName('default', '/tmp/sandbox/run/burrow/.networks/default'),
    );
  });
});

describe("id maps nested in the network's user namespace", () => {
  const parent = treeLines(1001, { start: 100000, count: 65536 });

  it("reads a machine's id map as uid_map lines in host terms", () => {
    const machine = buildIdMap('auto', { uid: 1001, gid: 1001 }, { uid: { start: 100000, count: 65536 }, gid: { start: 100000, count: 65536 } });
    expect(machine.uidLines).toEqual([
      { inside: 0, outside: 1001, count: 1 },
      { inside: 1, outside: 100000, count: 65535 },
    ]);
  });

  it("gives the network's namespace you and the whole range, so any layout of those ids nests", () => {
    expect(parent).toEqual([
      { inside: 0, outside: 1001, count: 1 },
      { inside: 1, outside: 100000, count: 65536 },
    ]);
    // Shared folders' map (your uid as guest 1000, root a subordinate id) uses the range's last id too.
    const shares = buildIdMap(
      'auto',
      { uid: 1001, gid: 1001 },
      { uid: { start: 100000, count: 65536 }, gid: { start: 100000, count: 65536 } },
      { uid: 1000, gid: 1000 },
    ).uidLines;
    expect(formatMapLines(nestMapLines(shares, parent))).toBe('0 1 1000\n1000 0 1\n1001 1002 64535\n');
  });

  it("splits a line that spans two of the parent's lines (the kernel refuses it whole)", () => {
    // Host ids: guest 0-9 on subordinate ids 100000-100009, guest 10 on the user, 11-19 on 100010-100018.
    const lines = [
      { inside: 0, outside: 100000, count: 10 },
      { inside: 10, outside: 1001, count: 1 },
      { inside: 11, outside: 100010, count: 9 },
    ];
    expect(formatMapLines(nestMapLines(lines, parent))).toBe('0 1 10\n10 0 1\n11 11 9\n');
    expect(
      nestMapLines(
        [
          { inside: 0, outside: 1001, count: 1 },
          { inside: 1, outside: 100000, count: 65535 },
        ],
        parent,
      ),
    ).toEqual([
      { inside: 0, outside: 0, count: 1 },
      { inside: 1, outside: 1, count: 65535 },
    ]);
  });

  it("refuses ids the network's namespace does not map", () => {
    expect(() => nestMapLines([{ inside: 0, outside: 100000, count: 65537 }], parent)).toThrow('host ids 100000-165536 are not all mapped');
    expect(() => nestMapLines([{ inside: 0, outside: 0, count: 1 }], parent)).toThrow('host ids 0-0 are not all mapped');
  });
});
