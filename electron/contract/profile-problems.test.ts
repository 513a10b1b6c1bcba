// What is wrong with a draft, said at its setting in the field's words.
import { describe, expect, it } from 'vitest';
import { defaultProfile, type MachineProfile } from './profile';
import { profileProblems, settingLabel, suggestName, uniqueName } from './profile-problems';
import { suggestHostPort } from './plain';

const draft = (patch: Partial<MachineProfile> = {}): MachineProfile => ({
  ...defaultProfile({ name: 'web', rootfs: '/images/deb12', machineId: 'a'.repeat(32) }),
  image: 'deb12',
  storage: 'persistent',
  ...patch,
});
const problems = (d: MachineProfile, ctx: Partial<Parameters<typeof profileProblems>[1]> = {}) =>
  Object.fromEntries(profileProblems(d, { source: 'image', ...ctx }).map((p) => [p.setting, p.message]));

describe('problems of a draft', () => {
  it('finds none in a sound draft', () => {
    expect(profileProblems(draft(), { source: 'image', taken: ['other'] })).toEqual([]);
  });

  it('says a bad name once, at the name, with a name that would do (no "hostname: hostname:")', () => {
    const found = problems(draft({ name: 'My Machine!', hostname: 'My Machine!' }));
    expect(found).toEqual({ name: 'Use 1-63 lowercase letters, digits, "-" or "_", starting with a letter or digit: "my-machine" would do.' });
    expect(problems(draft({ name: '', hostname: 'machine' }))).toEqual({ name: 'Give the machine a name.' });
    expect(problems(draft({ name: 'web' }), { taken: ['web', 'web-2'] })).toEqual({ name: 'A machine named "web" already exists: "web-3" is free.' });
  });

  it('asks for the image or the folder at the field that chooses it, never "rootfs: must be an absolute path"', () => {
    expect(problems(draft({ image: undefined, rootfs: '' }))).toEqual({ image: 'Choose an image, or build or import one.' });
    expect(problems(draft({ image: undefined, rootfs: '' }), { source: 'folder' })).toEqual({
      rootfs: "Type the folder's path: the folder that holds the machine's /usr and /etc.",
    });
    expect(problems(draft({ image: undefined, rootfs: 'images/x' }), { source: 'folder' })).toEqual({
      rootfs: "The folder's path must be an absolute path on the host.",
    });
  });

  it('refuses a host port this user cannot bind, with one that works, and says each mistake of a forward at its cell', () => {
    const ports = [
      { host: 80, guest: 80, protocol: 'tcp' as const, address: 'loopback' as const },
      { host: 0, guest: 22, protocol: 'tcp' as const, address: 'loopback' as const },
    ];
    const found = profileProblems(draft({ network: { mode: 'nat', ports } }), { source: 'image', portStart: 1024 });
    expect(found).toEqual([
      { setting: 'network.ports.1.host', label: 'Forward 2, host port', message: 'Host port must be 1-65535.' },
      {
        setting: 'network.ports.0.host',
        label: 'Forward 1, host port',
        message: 'Host port 80 is below 1024, the lowest port you may use on this host: 8080 would do.',
      },
    ]);
    // A host that lets users bind low ports (ip_unprivileged_port_start=0) has no such problem.
    expect(problems(draft({ network: { mode: 'nat', ports: [ports[0]!] } }), { portStart: 0 })).toEqual({});
  });

  it('labels settings as the window names them', () => {
    expect(settingLabel('mounts.2.dest')).toBe('Mount 3, destination');
    expect(settingLabel('network.ports.0')).toBe('Forward 1');
    expect(settingLabel('shares.0.dest')).toBe('Share 1, folder inside');
    expect(settingLabel('limits.memory')).toBe('Memory limit');
    expect(settingLabel('capabilities')).toBe('Capabilities');
    const found = profileProblems(draft({ mounts: [{ type: 'tmpfs', dest: 'var/tmp' }], limits: { memory: '10M' } }), { source: 'image' });
    expect(found.map((p) => `${p.label}: ${p.message}`)).toEqual([
      'Memory limit: Memory must be at least 32M: systemd and its journal alone need about 10M.',
      'Mount 1, destination: Must be an absolute path inside the machine (start with /).',
    ]);
  });

  it('keeps hostile text as text and survives garbage in a draft', () => {
    const found = problems(draft({ name: '<img src=x onerror=alert(1)>\u001b[31m', hostname: 'x' }));
    expect(found.name).toContain('"img-src-x-onerror-alert-1-31m" would do');
    expect(() => profileProblems({ ...draft(), mounts: [{ type: 'nope' } as never], limits: { pids: 'many' as never } }, { source: 'image' })).not.toThrow();
  });
});

describe('names and ports suggested', () => {
  it('makes a name the rules accept, or none', () => {
    expect(suggestName('My Machine!')).toBe('my-machine');
    expect(suggestName('---')).toBeUndefined();
    expect(suggestName('x'.repeat(100))).toHaveLength(63);
    expect(uniqueName('deb12', ['deb12', 'deb12-2'])).toBe('deb12-3');
    expect(uniqueName('deb12', [])).toBe('deb12');
  });

  it('suggests a bindable host port that is not taken', () => {
    expect(suggestHostPort(80)).toBe(8080);
    expect(suggestHostPort(80, [8080])).toBe(8081);
    expect(suggestHostPort(22)).toBe(8022);
    expect(suggestHostPort(443)).toBe(10443);
    expect(suggestHostPort(8000)).toBe(8000);
    expect(suggestHostPort(443, [], 0)).toBe(443);
  });
});
