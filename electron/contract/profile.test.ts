import { describe, expect, it } from 'vitest';
import { defaultProfile, describeIssues, migrateProfile, profileSchema } from './profile';

const base = () => defaultProfile({ name: 'web', rootfs: '/images/web', machineId: 'a'.repeat(32) });

describe('machine profile schema', () => {
  it('accepts the defaults', () => {
    expect(profileSchema.safeParse(base()).success).toBe(true);
  });

  it.each([
    ['a relative mount destination', { mounts: [{ type: 'tmpfs', dest: 'var/log' }] }, /mounts\.0\.dest: must be an absolute path/],
    ['a .. mount destination', { mounts: [{ type: 'tmpfs', dest: '/var/../etc' }] }, /must not contain "\." or "\.\." segments/],
    ['a relative bind source', { mounts: [{ type: 'bind', source: 'src', dest: '/src' }] }, /mounts\.0\.source: must be an absolute path on the host/],
    ['an unknown capability', { capabilities: { add: ['CAP_FLY'], drop: [] } }, /unknown capability "CAP_FLY"/],
    ['an invalid name', { name: 'Web Server' }, /name: use 1-63 lowercase letters/],
    ['a bad tmpfs size', { mounts: [{ type: 'tmpfs', dest: '/tmp', size: '1Q' }] }, /size is a number of bytes/],
    ['an unknown mount type', { mounts: [{ type: 'overlay', dest: '/x' }] }, /mounts\.0\.type/],
    ['a future version', { version: 3 }, /version/],
    [
      'a port forward outside nat mode',
      { network: { mode: 'isolated', ports: [{ host: 8080, guest: 80, protocol: 'tcp', address: 'loopback' }] } },
      /port forwarding needs the nat network mode/,
    ],
    [
      'a host port forwarded twice',
      {
        network: {
          mode: 'nat',
          ports: [
            { host: 8080, guest: 80, protocol: 'tcp', address: 'loopback' },
            { host: 8080, guest: 81, protocol: 'tcp', address: 'all' },
          ],
        },
      },
      /host port 8080\/tcp is forwarded twice/,
    ],
    ['a network name outside nat mode', { network: { mode: 'isolated', ports: [], name: 'lab' } }, /network\.name: a network name needs the nat network mode/],
    ['a network name with a slash', { network: { mode: 'nat', ports: [], name: '../lab' } }, /network\.name: a network name is 1-31 lowercase/],
    ['port 0', { network: { mode: 'nat', ports: [{ host: 0, guest: 80, protocol: 'tcp', address: 'loopback' }] } }, /host port must be 1-65535/],
    ['port 70000', { network: { mode: 'nat', ports: [{ host: 8080, guest: 70000, protocol: 'tcp', address: 'loopback' }] } }, /guest port must be 1-65535/],
    ['a memory size without a number', { limits: { memory: 'lots' } }, /memory is a size like 512M/],
    ['a memory limit too small to boot', { limits: { memory: '4M' } }, /at least 32M/],
    ['too few pids', { limits: { pids: 3 } }, /pids must be at least 16/],
    ['a fraction of pids', { limits: { pids: 20.5 } }, /whole number/],
    ['zero cpus', { limits: { cpus: 0 } }, /cpus must be at least 0.01/],
  ])('refuses %s with a readable reason', (_label, patch, message) => {
    const parsed = profileSchema.safeParse({ ...base(), ...patch });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(describeIssues(parsed.error)).toMatch(message);
  });

  it('says only what is wrong with an unreadable memory size, not also that it is too small', () => {
    const parsed = profileSchema.safeParse({ ...base(), limits: { memory: '12Q' } });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(describeIssues(parsed.error)).toBe('limits.memory: memory is a size like 512M or 2G (K, M, G, T: powers of 1024)');
  });
});

describe('profile migration', () => {
  it('turns a version 1 profile into version 2 with the network it had', () => {
    const { network: _n, limits: _l, ...rest } = base();
    const v1 = { ...rest, version: 1, namespaces: { pid: true, net: true, ipc: true, uts: true, cgroup: true } };
    const own = profileSchema.parse(migrateProfile(v1));
    expect(own.network).toEqual({ mode: 'isolated', ports: [] });
    expect(own.namespaces).toEqual({ pid: true, ipc: true, uts: true, cgroup: true });
    const shared = profileSchema.parse(migrateProfile({ ...v1, namespaces: { ...v1.namespaces, net: false } }));
    expect(shared.network.mode).toBe('host');
    expect(shared.limits).toEqual({});
  });

  it('leaves a current profile as it is', () => {
    expect(migrateProfile(base())).toEqual(base());
  });
});
