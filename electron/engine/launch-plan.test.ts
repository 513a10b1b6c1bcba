import { describe, expect, it } from 'vitest';
import { defaultProfile, type MachineProfile } from '../contract/profile';
import { BurrowError } from './errors';
import { buildLaunchPlan } from './launch-plan';
import type { RootfsInfo } from './rootfs';
import { hybridHost, unifiedHost } from './test-host-facts';

const profile = (patch: Partial<MachineProfile> = {}): MachineProfile => ({
  ...defaultProfile({ name: 'web', rootfs: '/images/deb12', machineId: '0123456789abcdef0123456789abcdef' }),
  ...patch,
});
const rootfs = (systemdVersion?: number): RootfsInfo => ({ rootfs: '/images/deb12', init: ['/usr/lib/systemd/systemd'], systemdVersion, ownership: [] });
const plan = (p = profile(), host = hybridHost(), v: number | undefined = 252) =>
  buildLaunchPlan({ profile: p, host, rootfs: rootfs(v), runtimeDir: '/run/user/1001/burrow/web' });

/** The argument that follows `flag` in argv, for each occurrence. */
const after = (argv: string[], flag: string) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]] : []));

describe('launch plan', () => {
  it('creates the user namespace with the subordinate ids, then runs bwrap inside it', () => {
    const { argv, bwrapIndex } = plan();
    expect(argv.slice(bwrapIndex - 5, bwrapIndex)).toEqual(['/usr/bin/unshare', '--user', '--map-auto', '--map-root-user', '--']);
    expect(argv[bwrapIndex]).toBe('/usr/bin/bwrap');
    expect(argv).not.toContain('--unshare-user');
  });

  it("joins the machine's payload cgroups in a launch step before the namespaces exist", () => {
    const { argv, cgroup } = plan();
    expect(argv[0]).toBe('/bin/sh');
    expect(cgroup.dirs.map((d) => d.hostDir)).toEqual(['/sys/fs/cgroup/systemd/user/burrow-web-01234567', '/sys/fs/cgroup/unified/user/burrow-web-01234567']);
    expect(cgroup.dirs.map((d) => d.payload)).toEqual([
      '/sys/fs/cgroup/systemd/user/burrow-web-01234567/payload',
      '/sys/fs/cgroup/unified/user/burrow-web-01234567/payload',
    ]);
    expect(argv[2]).toContain('for d in /sys/fs/cgroup/systemd/user/burrow-web-01234567/payload /sys/fs/cgroup/unified/user/burrow-web-01234567/payload; do');
    expect(argv[2]).toContain('exec "$@"');
    // The machine's processes, not its supervisor, are the OOM killer's first choice.
    expect(argv[2]).toContain('echo 500 > /proc/self/oom_score_adj');
  });

  it('starts with the rootfs at / and ends the argv with init and the masked units', () => {
    const { argv, mounts } = plan();
    expect(mounts[0]).toMatchObject({ type: 'bind', source: '/images/deb12', dest: '/', origin: 'rootfs' });
    const dd = argv.lastIndexOf('--');
    expect(argv.slice(dd + 1)).toEqual([
      '/usr/lib/systemd/systemd',
      'systemd.mask=sys-kernel-debug.mount',
      'systemd.mask=sys-kernel-tracing.mount',
      'systemd.mask=systemd-modules-load.service',
    ]);
  });

  it('uses the hybrid presentation for systemd 252 on a hybrid host: v1 read-only, delegated dirs writable, then remount', () => {
    const p = plan();
    expect(p.cgroup.presentation).toBe('hybrid');
    const cg = p.mounts.filter((m) => m.origin === 'cgroup');
    expect(cg.map((m) => `${m.type} ${m.source ?? ''} ${m.dest}`.replace(/\s+/g, ' '))).toEqual([
      'tmpfs /sys/fs/cgroup',
      'ro-bind /sys/fs/cgroup/memory /sys/fs/cgroup/memory',
      'ro-bind /sys/fs/cgroup/pids /sys/fs/cgroup/pids',
      'bind /sys/fs/cgroup/systemd/user/burrow-web-01234567/payload /sys/fs/cgroup/systemd',
      'bind /sys/fs/cgroup/unified/user/burrow-web-01234567/payload /sys/fs/cgroup/unified',
      'remount-ro /sys/fs/cgroup',
    ]);
    expect(p.mounts.at(-1)).toMatchObject({ type: 'remount-ro', dest: '/sys/fs/cgroup' });
  });

  it('switches to the unified presentation for systemd 256+, even on a hybrid host', () => {
    const p = plan(profile(), hybridHost(), 257);
    expect(p.cgroup.presentation).toBe('unified');
    expect(p.cgroup.reason).toMatch(/systemd 257 needs cgroup v2/);
    expect(p.mounts.filter((m) => m.origin === 'cgroup')).toEqual([
      expect.objectContaining({ type: 'bind', source: '/sys/fs/cgroup/unified/user/burrow-web-01234567/payload', dest: '/sys/fs/cgroup' }),
    ]);
  });

  it('uses unified on a unified host and refuses a forced hybrid presentation for systemd 257', () => {
    expect(plan(profile(), unifiedHost(), 252).cgroup.presentation).toBe('unified');
    expect(() => plan(profile({ cgroups: 'hybrid' }), hybridHost(), 257)).toThrow(/cannot boot on the hybrid presentation/);
  });

  it('refuses to start without a writable delegated cgroup, naming the fix', () => {
    const host = hybridHost();
    host.cgroups.systemd!.writable = false;
    host.cgroups.unified!.writable = false;
    expect(() => plan(profile(), host)).toThrow(BurrowError);
    expect(() => plan(profile(), host)).toThrow(/not delegated to you/);
  });

  it('drops audit control and read by default, keeping audit write as systemd-nspawn does', () => {
    const { argv } = plan();
    expect(after(argv, '--cap-add')).toEqual(['ALL']);
    expect(after(argv, '--cap-drop')).toEqual(['CAP_AUDIT_CONTROL', 'CAP_AUDIT_READ']);
  });

  it('clears the host environment and sets the container interface variables', () => {
    const { argv } = plan();
    expect(argv).toContain('--clearenv');
    const env = Object.fromEntries(argv.flatMap((a, i) => (a === '--setenv' ? [[argv[i + 1], argv[i + 2]]] : [])));
    expect(env).toMatchObject({ container: 'burrow', NOTIFY_SOCKET: '/run/host/notify', container_uuid: '01234567-89ab-cdef-0123-456789abcdef' });
  });

  it('keeps PID 1 out of the console session and ties it to its supervisor', () => {
    const { argv } = plan();
    for (const flag of ['--new-session', '--die-with-parent', '--as-pid-1', '--unshare-pid', '--unshare-cgroup']) expect(argv).toContain(flag);
  });

  it('falls back to a single uid with a warning when the user has no subordinate range', () => {
    const p = plan(profile(), hybridHost({ subuid: undefined }));
    expect(p.idMapping.mode).toBe('single');
    expect(p.argv).toContain('--unshare-user');
    expect(p.argv).not.toContain('--map-auto');
    expect(p.warnings.join(' ')).toMatch(/no range in \/etc\/subuid.*User= .*will fail/);
  });

  it("names the risky choices apart from the warnings, judged against the host's home and its links", () => {
    expect(plan().risks).toEqual([]);
    const risky = profile({ mounts: [...profile().mounts, { type: 'bind', source: '/srv/keys', dest: '/keys' }], network: { mode: 'host', ports: [] } });
    const realpath = (p: string) => (p === '/srv/keys' ? '/home/alice/.ssh' : p);
    const p = buildLaunchPlan({ profile: risky, host: hybridHost(), rootfs: rootfs(252), runtimeDir: '/run/user/1001/burrow/web', realpath });
    expect(p.risks.map((r) => r.text)).toEqual([
      expect.stringMatching(/^\/home\/alice\/.ssh is writable in the machine: root in the machine can then act as you/),
      expect.stringMatching(/^host networking/),
    ]);
    expect(p.warnings.join(' ')).not.toMatch(/act as you/);
  });

  it('translates tmpfs size and mode, optional binds and symlinks into bwrap operations', () => {
    const p = plan(
      profile({
        mounts: [
          { type: 'tmpfs', dest: '/var/log', size: '64M', mode: '755' },
          { type: 'bind', source: '/srv', dest: '/srv', optional: true },
          { type: 'symlink', target: 'usr/lib', dest: '/lib64' },
          { type: 'remount-ro', dest: '/' },
        ],
      }),
    );
    const s = p.argv.join(' ');
    expect(s).toContain('--size 67108864 --perms 0755 --tmpfs /var/log');
    expect(s).toContain('--bind-try /srv /srv');
    expect(s).toContain('--symlink usr/lib /lib64');
    // remount-ro of / comes after every mount that still needs to create its mount point
    expect(s.indexOf('--remount-ro /')).toBeGreaterThan(s.indexOf('/run/host'));
  });

  it('refuses setuid bwrap, a missing bwrap and a machine without its own pid namespace', () => {
    expect(() => plan(profile(), hybridHost({ bwrap: { path: '/usr/bin/bwrap', setuidRoot: true } }))).toThrow(/setuid root/);
    expect(() => plan(profile(), hybridHost({ bwrap: undefined }))).toThrow(/not installed/);
    expect(() => plan(profile({ namespaces: { pid: false, ipc: true, uts: true, cgroup: true } }))).toThrow(/PID 1/);
  });

  it('adds the info fd only for the supervisor', () => {
    const supervised = buildLaunchPlan({ profile: profile(), host: hybridHost(), rootfs: rootfs(252), runtimeDir: '/r/web', infoPath: '/r/web/info.json' });
    expect(supervised.argv).toContain('--info-fd');
    expect(supervised.argv[2]).toContain(`exec "$@" 3>/r/web/info.json`);
    expect(plan().argv).not.toContain('--info-fd');
  });
});

describe("launch plan: the machine's cgroup and what the guest gets", () => {
  it('binds only the payload child, never the cgroup that carries the limits', () => {
    const p = plan(profile({ limits: { memory: '64M' } }), unifiedHost(), 257);
    const binds = p.mounts.filter((m) => m.dest === '/sys/fs/cgroup');
    expect(binds).toHaveLength(1);
    expect(binds[0]!.source).toBe(`${p.cgroup.dirs[0]!.hostDir}/payload`);
    expect(p.argv.filter((a) => a === p.cgroup.dirs[0]!.hostDir)).toEqual([]);
  });
});

describe('launch plan with a systemd user manager', () => {
  const manager = {
    cgroupDir: '/sys/fs/cgroup/user.slice/user-1001.slice/user@1001.service',
    controllers: ['cpu', 'memory', 'pids'],
    linger: false,
    runtimeDir: '/run/user/1001',
    systemctl: '/usr/bin/systemctl',
    systemdRun: '/usr/bin/systemd-run',
    version: 257,
  };
  const desktop = (controllers = manager.controllers) => unifiedHost({ userManager: { facts: { ...manager, controllers } } });
  const supervised = (p = profile(), host = desktop()) =>
    buildLaunchPlan({ profile: p, host, rootfs: rootfs(257), runtimeDir: '/r/web', infoPath: '/r/web/info.json' });

  it('runs the machine in its own unit, burrow-NAME.service, under app.slice', () => {
    const p = supervised();
    expect(p.cgroup.unit).toBe('burrow-web.service');
    expect(p.cgroup.dirs[0]).toEqual({
      hierarchy: 'unified',
      hostDir: `${manager.cgroupDir}/app.slice/burrow-web.service`,
      payload: `${manager.cgroupDir}/app.slice/burrow-web.service/payload`,
    });
  });

  it("needs no writable cgroup of the caller: systemd delegates the unit's", () => {
    const host = desktop();
    host.cgroups.unified!.writable = false;
    expect(supervised(profile(), host).cgroup.dirs[0]!.hostDir).toMatch(/burrow-web\.service$/);
  });

  it('pasted by hand, runs in a delegated scope with the same limits', () => {
    const p = buildLaunchPlan({
      profile: profile({ limits: { memory: '64M', cpus: 0.5 } }),
      host: desktop(),
      rootfs: rootfs(257),
      runtimeDir: '/run/user/1001/burrow/web',
    });
    expect(p.argv.slice(0, 11)).toEqual([
      '/usr/bin/systemd-run',
      '--user',
      '--scope',
      '--quiet',
      '--unit=burrow-web-by-hand.scope',
      '--slice=app.slice',
      '--property=Delegate=yes',
      '--property=MemoryMax=67108864',
      '--property=MemorySwapMax=0',
      '--property=CPUQuota=50.00%',
      '--',
    ]);
    expect(p.cgroup.dirs[0]!.hostDir).toBe(`${manager.cgroupDir}/app.slice/burrow-web-by-hand.scope`);
  });

  it("names the manager's runtime folder for systemd-run where Burrow's own is elsewhere", () => {
    const p = buildLaunchPlan({ profile: profile(), host: desktop(), rootfs: rootfs(257), runtimeDir: '/tmp/sandbox/run/burrow/web' });
    expect(p.argv.slice(0, 3)).toEqual(['env', 'XDG_RUNTIME_DIR=/run/user/1001', '/usr/bin/systemd-run']);
  });

  it('says which limits the user manager cannot apply, by controller', () => {
    const p = supervised(profile({ limits: { memory: '64M', cpus: 1 } }), desktop(['memory', 'pids']));
    expect(p.limits.unavailable).toMatch(/user manager .* no cpu controller/);
    expect(supervised(profile({ limits: { memory: '64M' } }), desktop(['memory', 'pids'])).limits.unavailable).toBeUndefined();
  });
});

describe('launch plan of a machine with a share user', () => {
  const shared = profile({
    shareUser: { name: 'alice', uid: 1000, gid: 1000 },
    shares: [
      { source: '/home/alice/project', dest: '/work', readOnly: false },
      { source: '/home/alice/docs', dest: '/docs', readOnly: true },
    ],
  });

  it('maps the share user to you and root to a subordinate id, through newuidmap', () => {
    const p = plan(shared);
    const userns = p.argv.slice(p.argv.indexOf('burrow-userns'), p.bwrapIndex);
    expect(userns).toContain('0 100000 1000 1000 1001 1 1001 101001 64535');
    expect(p.argv).not.toContain('--map-root-user');
    expect(p.idMapping.user).toEqual({ uid: 1000, gid: 1000, name: 'alice' });
    expect(p.idMapping.description).toMatch(/^uid 1000 inside is you \(uid 1001\)/);
  });

  it("binds each share, read-only where asked, after the profile's own mounts", () => {
    const p = plan(shared);
    const shares = p.mounts.filter((m) => m.origin === 'share');
    expect(shares.map((m) => `${m.type} ${m.source} ${m.dest}`)).toEqual(['bind /home/alice/project /work', 'ro-bind /home/alice/docs /docs']);
    expect(p.argv.join(' ')).toContain('--bind /home/alice/project /work --ro-bind /home/alice/docs /docs');
    expect(p.mounts.indexOf(shares[0]!)).toBeGreaterThan(p.mounts.findIndex((m) => m.dest === '/tmp'));
  });

  it('has the machine make its user at boot: the unit and its script are written to the host folder and bound into /run/systemd', () => {
    const p = plan(shared);
    const launch = p.argv[2]!;
    expect(launch).toContain('>/run/user/1001/burrow/web/host/burrow-setup.service;');
    expect(launch).toContain('useradd -m -u "$uid" -g "$gid"');
    expect(launch).toContain('uid=1000 gid=1000 name=alice');
    expect(p.argv.join(' ')).toContain(
      '--ro-bind /run/user/1001/burrow/web/host/burrow-setup.service /run/systemd/system/burrow-setup.service --symlink ../burrow-setup.service /run/systemd/system/multi-user.target.wants/burrow-setup.service',
    );
    // systemd's runtime folder stays reachable by its services (bwrap would make a bind's parents 0700).
    expect(p.argv.join(' ')).toContain('--perms 0755 --dir /run/systemd ');
  });

  it('keeps the old map, with no setup unit, for a machine made before shares', () => {
    const p = plan(profile());
    expect(p.argv.join(' ')).not.toContain('burrow-setup');
    expect(p.idMapping.user).toBeUndefined();
    expect(p.idMapping.description).toMatch(/^root is you \(uid 1001\)/);
  });

  it('passes the display to the share user, and warns of what this session lacks', () => {
    const p = buildLaunchPlan({
      profile: { ...shared, display: { wayland: true, x11: true, audio: false, gpu: false } },
      host: hybridHost(),
      rootfs: rootfs(252),
      runtimeDir: '/run/user/1001/burrow/web',
      display: { wayland: '/run/user/1001/wayland-0', absent: { x11: 'DISPLAY is not set' } },
    });
    expect(p.mounts.filter((m) => m.origin === 'display' && m.type === 'bind').map((m) => m.dest)).toEqual(['/run/burrow/display/wayland-0']);
    expect(p.display).toEqual({ passed: ['Wayland'], missing: ['X11: DISPLAY is not set'] });
    expect(p.warnings).toContain('display: nothing to pass for X11: DISPLAY is not set.');
    expect(p.risks.map((r) => r.text)).toEqual([
      expect.stringMatching(/^X11: any X11 client can read the whole screen/),
      expect.stringMatching(/^Wayland: an app inside draws its own windows/),
    ]);
  });
});
