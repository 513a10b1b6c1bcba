import { describe, expect, it } from 'vitest';
import { defaultProfile, profileSchema, describeIssues } from './profile';

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
    ['a bad tmpfs size', { mounts: [{ type: 'tmpfs', dest: '/tmp', size: '1T' }] }, /size is a number of bytes/],
    ['an unknown mount type', { mounts: [{ type: 'overlay', dest: '/x' }] }, /mounts\.0\.type/],
    ['a future version', { version: 2 }, /version/],
  ])('refuses %s with a readable reason', (_label, patch, message) => {
    const parsed = profileSchema.safeParse({ ...base(), ...patch });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(describeIssues(parsed.error)).toMatch(message);
  });
});
