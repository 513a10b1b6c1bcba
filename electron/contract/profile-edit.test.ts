// What an edit changes, and when a machine sees it.
import { describe, expect, it } from 'vitest';
import { defaultProfile } from './profile';
import { changedFields, pendingChanges, restartNeeded } from './profile-edit';

const base = () => defaultProfile({ name: 'web', rootfs: '/images/web', machineId: 'a'.repeat(32) });

describe('profile edits', () => {
  it('lists the settings that differ', () => {
    const after = { ...base(), limits: { memory: '1G' }, stopTimeoutSec: 10 };
    expect(changedFields(base(), after)).toEqual(['limits', 'stopTimeoutSec']);
    expect(changedFields(base(), base())).toEqual([]);
  });

  it('needs a restart only for a change to a live machine', () => {
    expect(restartNeeded(['limits'], 'running')).toBe(true);
    expect(restartNeeded(['limits'], 'stopping')).toBe(true);
    expect(restartNeeded(['limits'], 'exited')).toBe(false);
    // Saving without a change tells nobody to restart (the CLI used to).
    expect(restartNeeded([], 'running')).toBe(false);
  });

  it('shows a running machine its forwards as it has them: live, waiting for the restart, or leaving at it', () => {
    const web = { host: 8080, guest: 80, protocol: 'tcp' as const, address: 'loopback' as const };
    const ssh = { host: 8022, guest: 22, protocol: 'tcp' as const, address: 'loopback' as const };
    const dns = { host: 5353, guest: 53, protocol: 'udp' as const, address: 'loopback' as const };
    const applied = { ...base(), network: { mode: 'nat' as const, ports: [web, dns] } };
    const saved = { ...applied, network: { mode: 'nat' as const, ports: [web, ssh] }, limits: { memory: '1G' } };
    expect(pendingChanges(applied, saved)).toEqual({
      settings: ['network', 'limits'],
      ports: [
        { port: web, now: 'live' },
        { port: ssh, now: 'waiting' },
        { port: dns, now: 'leaving' },
      ],
      nextLimits: { memory: '1G' },
    });
    // Stopped (or started by an older Burrow): nothing is pending, every forward reads as saved.
    expect(pendingChanges(undefined, saved)).toEqual({
      settings: [],
      ports: [
        { port: web, now: 'live' },
        { port: ssh, now: 'live' },
      ],
    });
    expect(pendingChanges(saved, saved).settings).toEqual([]);
  });
});
