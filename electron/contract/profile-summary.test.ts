// The review's summary and the words for each choice.
import { describe, expect, it } from 'vitest';
import { defaultProfile, type MachineProfile } from './profile';
import { limitsGap, networkLabel, storageLabel, summarizeProfile } from './profile-summary';

const profile = (patch: Partial<MachineProfile> = {}): MachineProfile => ({
  ...defaultProfile({ name: 'web', rootfs: '/images/deb12', machineId: 'a'.repeat(32) }),
  image: 'deb12',
  storage: 'persistent',
  ...patch,
});

describe('the summary of a machine', () => {
  it('says name, source, storage, network and ports, and limits with whether this host applies them', () => {
    const p = profile({
      network: { mode: 'nat', ports: [{ host: 8080, guest: 80, protocol: 'tcp', address: 'loopback' }] },
      limits: { memory: '512M', pids: 512 },
    });
    const gaps = { memory: 'this host runs cgroup v1 controllers (hybrid layout)' };
    expect(summarizeProfile(p, { source: 'image deb12: Debian GNU/Linux 12 (bookworm), systemd 252', gaps })).toEqual([
      { label: 'Name', value: 'web' },
      { label: 'Source', value: 'image deb12: Debian GNU/Linux 12 (bookworm), systemd 252' },
      { label: 'Storage', value: 'Keep changes apart' },
      { label: 'Network and ports', value: 'NAT: 127.0.0.1:8080 → 80/tcp' },
      {
        label: 'Limits',
        value: 'memory 512M, pids 512',
        warning: 'not applied on this host (this host runs cgroup v1 controllers (hybrid layout)); the machine boots without them',
      },
    ]);
  });

  it('names a folder and its storage as a folder, and says "none" for no limits, with no warning', () => {
    const rows = summarizeProfile(profile({ image: undefined, storage: 'direct', rootfs: '/srv/rootfs' }), { gaps: { memory: 'no' } });
    expect(rows.find((r) => r.label === 'Source')?.value).toBe('folder /srv/rootfs');
    expect(rows.find((r) => r.label === 'Storage')?.value).toBe('Write into the folder');
    expect(rows.find((r) => r.label === 'Limits')).toEqual({ label: 'Limits', value: 'none', warning: undefined });
  });

  it('words each network and storage choice', () => {
    expect(networkLabel({ mode: 'nat', ports: [] })).toBe('NAT, nothing forwarded in');
    expect(networkLabel({ mode: 'isolated', ports: [] })).toBe('isolated (loopback only)');
    expect(storageLabel({ storage: 'ephemeral', image: 'x' })).toBe('Forget changes at stop');
    expect(storageLabel({ storage: 'direct', image: 'x' })).toBe('Write into the image');
  });

  it('gives each reason a limit is not applied once, only for the limits asked for', () => {
    const gaps = { memory: 'A', pids: 'A', cpu: 'B' };
    expect(limitsGap({ memory: '1G', pids: 64 }, gaps)).toBe('A');
    expect(limitsGap({ cpus: 1 }, gaps)).toBe('B');
    expect(limitsGap({}, gaps)).toBeUndefined();
    expect(limitsGap({ memory: '1G' }, {})).toBeUndefined();
  });
});
