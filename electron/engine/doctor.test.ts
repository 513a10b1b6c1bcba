import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apparmorUsernsCheck } from './apparmor-userns';
import { doctorVerdict, runDoctor } from './doctor';
import { hybridHost } from './test-host-facts';

const check = (id: string, host = hybridHost()) => runDoctor(host).find((c) => c.id === id)!;

describe('doctor', () => {
  it('passes a ready host without systemd, warning what the missing user manager and controllers cost', () => {
    const checks = runDoctor(hybridHost({ userManager: { absent: 'this host has no systemd' } }));
    expect(checks.filter((c) => c.level !== 'ok').map((c) => c.id)).toEqual(['user-manager', 'cgroup-controllers']);
    expect(checks.find((c) => c.id === 'user-manager')!.detail).toMatch(/none: this host has no systemd\. .*cannot start at login/);
    expect(doctorVerdict(checks)).toBe('warning');
  });

  it('explains setuid bwrap, AppArmor restrictions and missing subordinate ids with a fix', () => {
    expect(check('bwrap', hybridHost({ bwrap: { path: '/usr/bin/bwrap', setuidRoot: true } }))).toMatchObject({
      level: 'error',
      fix: expect.stringContaining('chmod u-s'),
    });
    // The AppArmor case has its own tests (apparmor-userns.test.ts): here, that doctor asks it, not the sysctl.
    const data = process.env.XDG_DATA_HOME;
    process.env.XDG_DATA_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-doctor-'));
    try {
      const restricted = hybridHost({ userns: { apparmorRestrict: 1 } });
      expect(check('userns', restricted)).toEqual(apparmorUsernsCheck(restricted));
      expect(check('userns', restricted).fix ?? '').not.toMatch(/sysctl/);
    } finally {
      fs.rmSync(process.env.XDG_DATA_HOME, { recursive: true, force: true });
      if (data === undefined) delete process.env.XDG_DATA_HOME;
      else process.env.XDG_DATA_HOME = data;
    }
    expect(check('subid', hybridHost({ subuid: undefined }))).toMatchObject({ level: 'warning', fix: expect.stringContaining('usermod --add-subuids') });
  });

  it('fails when no cgroup is delegated and no user manager can delegate one', () => {
    const host = hybridHost();
    host.cgroups.unified!.writable = false;
    host.cgroups.systemd!.writable = false;
    expect(check('cgroup-delegation', host).level).toBe('error');
  });
});

describe('doctor on a systemd desktop', () => {
  const facts = {
    cgroupDir: '/sys/fs/cgroup/user.slice/user-1001.slice/user@1001.service',
    controllers: ['cpu', 'memory', 'pids'],
    linger: false,
    runtimeDir: '/run/user/1001',
    systemctl: '/usr/bin/systemctl',
    systemdRun: '/usr/bin/systemd-run',
    version: 257,
  };
  const desktop = (patch: Partial<typeof facts> = {}) => hybridHost({ userManager: { facts: { ...facts, ...patch } } });

  it('runs machines as units, with limits from systemd, and no cgroup of the caller needed', () => {
    const host = desktop();
    host.cgroups.unified!.writable = false;
    const checks = runDoctor(host);
    expect(checks.filter((c) => c.level !== 'ok')).toEqual([]);
    expect(check('user-manager', host).detail).toMatch(/systemd 257 .*burrow-NAME\.service/);
    expect(check('cgroup-controllers', host).detail).toMatch(/MemoryMax=, TasksMax= and CPUQuota=/);
  });

  it('says what logout does without linger, and gives the command, without calling it a problem', () => {
    expect(check('linger', desktop())).toMatchObject({
      level: 'ok',
      detail: expect.stringMatching(/halts running machines/),
      fix: 'to keep machines running after logout and start enabled ones at boot: loginctl enable-linger alice',
    });
    expect(check('linger', desktop({ linger: true })).detail).toMatch(/start at boot/);
  });

  it('names a controller the user manager lacks, and that an administrator adds it', () => {
    expect(check('cgroup-controllers', desktop({ controllers: ['memory', 'pids'] }))).toMatchObject({
      level: 'warning',
      detail: expect.stringContaining('no cpu controller'),
      fix: expect.stringContaining('Delegate=cpu memory pids'),
    });
  });

  it('warns when a user bus exists but does not answer', () => {
    expect(check('user-manager', hybridHost({ userManager: { absent: 'the user bus does not answer (Connection refused)', unanswered: true } }))).toMatchObject(
      { level: 'warning', fix: expect.stringContaining('systemctl --user status') },
    );
  });
});

describe('doctor: networking', () => {
  it('says whether nat machines can find each other by name (the ip command)', () => {
    expect(check('user-network', hybridHost())).toMatchObject({ level: 'ok' });
    const noIp = hybridHost({ network: { ...hybridHost().network, ip: undefined } });
    expect(check('user-network', noIp)).toMatchObject({ level: 'warning', fix: 'sudo apt install iproute2' });
  });

  it('prefers pasta, warns about the slirp4netns fallback, and says nat machines cannot start without either', () => {
    const net = (pasta?: string, slirp4netns?: string) => hybridHost({ network: { pasta, slirp4netns, unprivilegedPortStart: 1024, online: true } });
    expect(check('network', net('/usr/bin/pasta'))).toMatchObject({ level: 'ok' });
    expect(check('network', net(undefined, '/usr/bin/slirp4netns'))).toMatchObject({ level: 'warning', fix: 'sudo apt install passt' });
    expect(check('network', net()).detail).toMatch(/nat mode \(the default\) cannot start/);
  });
});

describe('doctor: inotify', () => {
  it('warns when the inotify instance limit allows only a few machines at once', () => {
    expect(check('inotify', hybridHost({ inotifyInstances: 128 }))).toMatchObject({
      level: 'warning',
      fix: expect.stringContaining('max_user_instances=1024'),
    });
    expect(check('inotify', hybridHost({ inotifyInstances: 8192 })).level).toBe('ok');
  });
});
