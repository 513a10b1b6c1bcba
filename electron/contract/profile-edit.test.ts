// What an edit changes, and when a machine sees it.
import { describe, expect, it } from 'vitest';
import { defaultProfile } from './profile';
import { changedFields, restartNeeded } from './profile-edit';

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
});
