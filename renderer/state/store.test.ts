import { beforeEach, describe, expect, it } from 'vitest';
import { defaultProfile } from '../../electron/contract/profile';
import { useStore } from './store';

const item = (name: string) => ({ profile: defaultProfile({ name, rootfs: '/images/x', machineId: 'c'.repeat(32) }), status: { name, state: 'stopped' as const } });

describe('window state', () => {
  beforeEach(() => useStore.setState({ machines: {}, notices: [], busy: {} }));

  it('applies status events to known machines only, keeping their profiles', () => {
    useStore.getState().setMachines([item('web')], []);
    useStore.getState().applyStatus({ name: 'web', state: 'running', pid1: 42 });
    useStore.getState().applyStatus({ name: 'ghost', state: 'running' });
    const { machines } = useStore.getState();
    expect(Object.keys(machines)).toEqual(['web']);
    expect(machines.web!.status).toEqual({ name: 'web', state: 'running', pid1: 42 });
    expect(machines.web!.profile.rootfs).toBe('/images/x');
  });

  it('keeps the five newest notices and dismisses by id', () => {
    for (let i = 0; i < 7; i++) useStore.getState().notify('info', `n${i}`);
    const notices = useStore.getState().notices;
    expect(notices.map((n) => n.text)).toEqual(['n2', 'n3', 'n4', 'n5', 'n6']);
    useStore.getState().dismiss(notices[0]!.id);
    expect(useStore.getState().notices.map((n) => n.text)).toEqual(['n3', 'n4', 'n5', 'n6']);
  });
});
