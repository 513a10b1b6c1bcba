import { beforeEach, describe, expect, it } from 'vitest';
import { defaultProfile } from '../../electron/contract/profile';
import { useStore } from './store';

const item = (name: string) => ({
  profile: defaultProfile({ name, rootfs: '/images/x', machineId: 'c'.repeat(32) }),
  status: { name, state: 'stopped' as const },
});

describe('window state', () => {
  beforeEach(() => useStore.setState({ machines: {}, notices: [], showing: [], unread: 0, busy: {} }));

  it('applies status events to known machines only, keeping their profiles', () => {
    useStore.getState().setMachines([item('web')], []);
    useStore.getState().applyStatus({ name: 'web', state: 'running', pid1: 42 });
    useStore.getState().applyStatus({ name: 'ghost', state: 'running' });
    const { machines } = useStore.getState();
    expect(Object.keys(machines)).toEqual(['web']);
    expect(machines.web!.status).toEqual({ name: 'web', state: 'running', pid1: 42 });
    expect(machines.web!.profile.rootfs).toBe('/images/x');
  });

  it('keeps every notice in the history, shows the three newest in the status bar, and dismisses from the bar only', () => {
    for (let i = 0; i < 7; i++) useStore.getState().notify('info', `n${i}`);
    const { notices, showing, unread } = useStore.getState();
    expect(notices.map((n) => n.text)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
    expect(showing).toEqual(notices.slice(-3).map((n) => n.id));
    expect(unread).toBe(7);
    useStore.getState().dismiss(notices[6]!.id);
    expect(useStore.getState().showing).toEqual([notices[4]!.id, notices[5]!.id]);
    expect(useStore.getState().notices).toHaveLength(7);
    useStore.getState().markRead();
    expect(useStore.getState().unread).toBe(0);
  });

  it('keeps a history of at most 100', () => {
    for (let i = 0; i < 130; i++) useStore.getState().notify('error', `e${i}`);
    const { notices } = useStore.getState();
    expect(notices).toHaveLength(100);
    expect(notices[0]!.text).toBe('e30');
  });
});
