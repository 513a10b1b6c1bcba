// The machine's systemd unit, as data: what systemd-run gets for a transient start, and the unit file
// `burrow enable` writes. Both from the same properties, so a limit means the same thing either way.
import { describe, expect, it } from 'vitest';
import { defaultProfile, type MachineProfile } from '../contract/profile';
import { limitProperties, transientStartArgs, unitFileText, unitQuote, userUnitDir } from './machine-unit';
import { assertUnitIsOurs, type UnitStatus } from './user-units';
import { parseShow, userBusSocket } from './user-manager';

const ID = '0123456789abcdef0123456789abcdef';
const profile = (patch: Partial<MachineProfile> = {}): MachineProfile => ({
  ...defaultProfile({ name: 'web', rootfs: '/images/deb12', machineId: ID }),
  ...patch,
});
const node = { runtime: 'node' as const, file: '/usr/bin/node', args: ['/opt/burrow/dist/supervisor.js', 'web'], env: {} };

describe('the unit of a machine', () => {
  it('turns limits into systemd resource-control settings', () => {
    expect(limitProperties({ memory: '64M', pids: 128, cpus: 0.5 })).toEqual([
      ['MemoryMax', '67108864'],
      ['MemorySwapMax', '0'],
      ['TasksMax', '128'],
      ['CPUQuota', '50.00%'],
    ]);
    expect(limitProperties({})).toEqual([]);
  });

  it('starts transiently as a Type=notify service with a delegated cgroup, its configuration and the supervisor', () => {
    const args = transientStartArgs(profile({ limits: { memory: '1G' }, stopTimeoutSec: 30 }), node);
    expect(args.slice(0, 5)).toEqual(['--unit=burrow-web.service', '--description=Burrow machine web', '--no-block', '--quiet', '--collect']);
    for (const p of ['Type=notify', 'Delegate=yes', 'KillMode=mixed', 'TimeoutStopSec=45', 'Slice=app.slice', 'MemoryMax=1073741824'])
      expect(args).toContain(`--property=${p}`);
    expect(args).toContain(`--setenv=BURROW_MACHINE_ID=${ID}`);
    expect(args).toContain('--setenv=BURROW_UNIT=burrow-web.service');
    expect(args.some((a) => a.startsWith('--setenv=XDG_CONFIG_HOME=/'))).toBe(true);
    expect(args.slice(args.indexOf('--'))).toEqual(['--', '/usr/bin/node', '/opt/burrow/dist/supervisor.js', 'web']);
  });

  it('writes a unit file that runs `burrow unit-run` and starts at login, quoting what systemd would expand', () => {
    const text = unitFileText(profile({ limits: { pids: 256 } }), {
      runtime: 'electron',
      file: '/opt/My Apps/burrow',
      args: ['/opt/My Apps/dist/cli.js', 'unit-run', 'web'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    expect(text.split('\n')[0]).toMatch(/^# Written by burrow enable web;/);
    expect(text).toContain('\nType=notify\n');
    expect(text).toContain('\nTasksMax=256\n');
    expect(text).toContain('\nEnvironment=ELECTRON_RUN_AS_NODE=1\n');
    expect(text).toContain('\nExecStart="/opt/My Apps/burrow" "/opt/My Apps/dist/cli.js" unit-run web\n');
    expect(text).toMatch(/\[Install\]\nWantedBy=default\.target\n$/);
    expect(unitQuote('50%')).toBe('50%%');
    expect(unitQuote('$HOME/x')).toBe('"$$HOME/x"');
    expect(unitQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it("finds the user's unit folder in the manager's UnitPath", () => {
    const unitPath =
      '/home/a/.config/systemd/user.control /run/user/1001/systemd/user.control /run/user/1001/systemd/transient /home/a/cfg/systemd/user /etc/systemd/user';
    expect(userUnitDir(unitPath, '/home/a')).toBe('/home/a/cfg/systemd/user');
    expect(userUnitDir(undefined, '/home/a')).toBe('/home/a/.config/systemd/user');
  });
});

describe('unit names that are not ours', () => {
  const status = (patch: Partial<UnitStatus>): UnitStatus => ({ load: 'loaded', active: 'active', sub: 'running', ...patch });
  it("refuses a unit file Burrow did not write, a masked unit, and another configuration's running machine", () => {
    expect(() => assertUnitIsOurs(status({ fragment: '/home/a/.config/systemd/user/burrow-web.service' }), profile())).toThrow(/Burrow did not write/);
    expect(() => assertUnitIsOurs(status({ load: 'masked' }), profile())).toThrow(/masked/);
    expect(() => assertUnitIsOurs(status({ fragment: '/run/user/1001/systemd/transient/burrow-web.service', machineId: 'f'.repeat(32) }), profile())).toThrow(
      /another Burrow configuration/,
    );
  });

  it('accepts a free name, our own enabled unit, and a unit of ours that has ended', () => {
    expect(() => assertUnitIsOurs(status({ load: 'not-found', active: 'inactive' }), profile())).not.toThrow();
    const file = '/home/a/.config/systemd/user/burrow-web.service';
    expect(() => assertUnitIsOurs(status({ fragment: file, active: 'inactive', machineId: ID }), profile(), file)).not.toThrow();
    expect(() =>
      assertUnitIsOurs(status({ fragment: '/run/user/1001/systemd/transient/burrow-web.service', active: 'failed', machineId: 'f'.repeat(32) }), profile()),
    ).not.toThrow();
  });
});

describe('the user manager', () => {
  it('reads systemctl show output and finds the user bus from DBUS_SESSION_BUS_ADDRESS or XDG_RUNTIME_DIR', () => {
    expect(parseShow('ControlGroup=/user.slice/user-1000.slice/user@1000.service/init.scope\nEnvironment=A=1 B=2\n')).toEqual({
      ControlGroup: '/user.slice/user-1000.slice/user@1000.service/init.scope',
      Environment: 'A=1 B=2',
    });
    expect(userBusSocket({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', XDG_RUNTIME_DIR: '/nonexistent' })).toBeUndefined();
  });
});
