import { describe, expect, it } from 'vitest';
import type { ImageRecord } from '../contract/image';
import { defaultProfile } from '../contract/profile';
import { compressionFor } from './export';
import { applyExportedSettings } from './exported-settings';

const base = {
  ...defaultProfile({ name: 'moved', rootfs: '/data/images/moved/rootfs', machineId: 'a'.repeat(32) }),
  image: 'moved',
  storage: 'persistent' as const,
};
const exportedFrom = {
  ...defaultProfile({ name: 'web', rootfs: '/home/other/.local/share/burrow/images/deb12/rootfs', machineId: 'b'.repeat(32) }),
  image: 'deb12',
  storage: 'persistent' as const,
};
const image = (profile: unknown): ImageRecord => ({
  version: 1,
  name: 'moved',
  rootfs: base.rootfs,
  inPlace: false,
  source: { kind: 'tarball' },
  createdAt: '',
  exported: { machine: 'web', exportedAt: '2026-11-29T00:00:00Z', profile },
});

describe('settings that came with an export', () => {
  it("brings back ports, limits and environment, under this machine's name, id and image", () => {
    const old = {
      ...exportedFrom,
      network: { mode: 'nat' as const, ports: [{ host: 8080, guest: 80, protocol: 'tcp' as const, address: 'loopback' as const }] },
      limits: { memory: '1G' },
      env: { ...exportedFrom.env, APP: 'x' },
    };
    const { profile, notes } = applyExportedSettings(image(old), base);
    expect(profile).toMatchObject({
      name: 'moved',
      machineId: 'a'.repeat(32),
      rootfs: base.rootfs,
      image: 'moved',
      hostname: 'moved',
      limits: { memory: '1G' },
    });
    expect(profile.network.ports).toHaveLength(1);
    expect(profile.env.APP).toBe('x');
    expect(notes[0]).toMatch(/settings of machine "web".*1 port forward/);
  });

  it("leaves out binds of the other computer's folders and says so; keeps the default /sys bind", () => {
    const old = { ...exportedFrom, mounts: [...exportedFrom.mounts, { type: 'bind' as const, source: '/home/other/.ssh', dest: '/root/.ssh' }] };
    const { profile, notes } = applyExportedSettings(image(old), base);
    expect(profile.mounts).toEqual(base.mounts);
    expect(notes.join('\n')).toMatch(/left out 1 bind mount.*\/home\/other\/\.ssh:\/root\/\.ssh/);
  });

  it("says what widens the machine's reach", () => {
    const old = { ...exportedFrom, network: { mode: 'host' as const, ports: [] }, capabilities: { add: 'ALL' as const, drop: [] } };
    expect(applyExportedSettings(image(old), base).notes.join('\n')).toMatch(/network host.*\n.*audit included/s);
  });

  it('refuses settings that are not a valid profile, and an image that is no export', () => {
    expect(() => applyExportedSettings(image({ ...exportedFrom, stopTimeoutSec: 1e9 }), base)).toThrow(/are not valid here: stopTimeoutSec/);
    expect(() => applyExportedSettings(image('garbage'), base)).toThrow(/not valid here/);
    expect(() => applyExportedSettings({ ...image(exportedFrom), exported: undefined }, base)).toThrow(/not a machine's export/);
  });
});

describe('export formats', () => {
  it('follow the file name', () => {
    expect(compressionFor('/x/web.tar')).toBe('none');
    expect(compressionFor('/x/web.tar.zst')).toBe('zstd');
    expect(compressionFor('/x/web.tzst')).toBe('zstd');
    expect(compressionFor('/x/web.tar.xz')).toBe('xz');
    expect(compressionFor('/x/web.tgz')).toBe('gzip');
    expect(() => compressionFor('/x/web.zip')).toThrow(/cannot tell the format of \/x\/web.zip from its name/);
  });
});

describe('shares and the share user that came with an export', () => {
  it("leaves out the other computer's shared folders and says so, and keeps who the user inside was", () => {
    const old = {
      ...exportedFrom,
      shares: [{ source: '/home/other/project', dest: '/work', readOnly: false }],
      shareUser: { name: 'other', uid: 1000, gid: 1000 },
      display: { wayland: true, x11: false, audio: true, gpu: false },
    };
    const { profile, notes } = applyExportedSettings(image(old), base);
    expect(profile.shares).toBeUndefined();
    expect(profile.shareUser).toEqual({ name: 'other', uid: 1000, gid: 1000 });
    expect(profile.display).toEqual(old.display);
    expect(notes).toContain('left out 1 shared folder of the other computer (/home/other/project:/work); add your own with --share');
  });
});
