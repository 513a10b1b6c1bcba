import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apparmorUsernsCheck } from './apparmor-userns';
import { doctorVerdict, runDoctor } from './doctor';
import { hybridHost } from './test-host-facts';

const check = (id: string, host = hybridHost()) => runDoctor(host).find((c) => c.id === id)!;

describe('doctor', () => {
  it('passes a ready host, warning only that no controllers are delegated', () => {
    const checks = runDoctor(hybridHost());
    expect(checks.filter((c) => c.level !== 'ok').map((c) => c.id)).toEqual(['cgroup-controllers']);
    expect(doctorVerdict(checks)).toBe('warning');
  });

  it('explains setuid bwrap, AppArmor restrictions and missing subordinate ids with a fix', () => {
    expect(check('bwrap', hybridHost({ bwrap: { path: '/usr/bin/bwrap', setuidRoot: true } }))).toMatchObject({ level: 'error', fix: expect.stringContaining('chmod u-s') });
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
    host.systemdRun = { path: '/usr/bin/systemd-run', setuidRoot: false, userBus: true };
    expect(check('cgroup-delegation', host)).toMatchObject({ level: 'warning', fix: expect.stringContaining('Delegate=yes') });
  });
});

describe('doctor: networking', () => {
  it('prefers pasta, warns about the slirp4netns fallback, and says nat machines cannot start without either', () => {
    const net = (pasta?: string, slirp4netns?: string) => hybridHost({ network: { pasta, slirp4netns, unprivilegedPortStart: 1024, online: true } });
    expect(check('network', net('/usr/bin/pasta'))).toMatchObject({ level: 'ok' });
    expect(check('network', net(undefined, '/usr/bin/slirp4netns'))).toMatchObject({ level: 'warning', fix: 'sudo apt install passt' });
    expect(check('network', net()).detail).toMatch(/nat mode \(the default\) cannot start/);
  });
});

describe('doctor: inotify', () => {
  it('warns when the inotify instance limit allows only a few machines at once', () => {
    expect(check('inotify', hybridHost({ inotifyInstances: 128 }))).toMatchObject({ level: 'warning', fix: expect.stringContaining('max_user_instances=1024') });
    expect(check('inotify', hybridHost({ inotifyInstances: 8192 })).level).toBe('ok');
  });
});
