// @vitest-environment jsdom
// The window's shell with a stand-in host: the task area (progress and Cancel wherever the user is, jobs
// listed to a page that opens late, a notice when one ends), the notification history, the machine header's
// destructive actions behind an in-app confirmation, pending changes, and the signed-out page.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MachineListItem } from '../../electron/contract/api';
import type { ImageProgress } from '../../electron/contract/image';
import { defaultProfile } from '../../electron/contract/profile';
import { useImageJobs, watchTasks } from '../state/tasks';
import { useLifecycle } from '../state/lifecycle';
import { useStore } from '../state/store';
import { ActivityBar, NOTICE_MS } from './ActivityBar';
import { MachineHeader } from './MachineHeader';
import { MachineFacts } from './MachineFacts';

const host = vi.hoisted(() => ({
  calls: [] as unknown[][],
  listeners: new Map<string, (p: unknown) => void>(),
  running: [] as unknown[],
}));
vi.mock('../api/client', () => ({
  getApi: () => ({
    invoke: async (...args: unknown[]) => {
      host.calls.push(args);
      if (args[0] === 'jobs.list') return { images: host.running, lifecycle: [] };
      if (args[0] === 'images.list') return [];
      if (args[0] === 'machines.list') return { machines: [], broken: [] };
      if (args[0] === 'host.info') return { home: '/home/u' };
      return null;
    },
    on: (event: string, l: (p: unknown) => void) => (host.listeners.set(event, l), () => host.listeners.delete(event)),
  }),
  transport: () => 'web',
}));

const progress = (patch: Partial<ImageProgress> = {}): ImageProgress => ({
  name: 'deb12',
  kind: 'build',
  phase: 'downloading',
  bytes: 0,
  totalBytes: 0,
  entries: 0,
  ...patch,
});
const flush = () => act(async () => void (await Promise.resolve()));

beforeEach(() => {
  host.calls.length = 0;
  host.listeners.clear();
  host.running = [];
  useImageJobs.setState({ jobs: {} });
  useLifecycle.setState({ jobs: {} });
  useStore.setState({ notices: [], showing: [], unread: 0, machines: {}, busy: {}, loaded: true });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('the task area', () => {
  it('lists a build with its progress and Cancel, and tells of its end even to a page that opened after it began', async () => {
    host.running = [progress({ phase: 'unpacking', bytes: 50, totalBytes: 200 })];
    const release = watchTasks();
    render(<ActivityBar />);
    await flush();
    const task = screen.getByRole('status', { name: 'Task at work' });
    expect(task.textContent).toContain('Building Debian image deb12: unpacking · 25% of 200 B');
    fireEvent.click(within(task).getByRole('button', { name: 'Cancel' }));
    expect(host.calls).toContainEqual(['images.cancel', 'deb12']);
    act(() => host.listeners.get('images.progress')!(progress({ done: 'cancelled', message: 'cancelled' })));
    expect(screen.queryByRole('status', { name: 'Task at work' })).toBeNull();
    expect(screen.getByRole('status', { name: 'Latest notification' }).textContent).toContain('Debian image deb12 was cancelled; nothing was kept.');
    release();
  });

  it('keeps every notice in a history that the status bar opens, and an information notice leaves the bar after a while', () => {
    vi.useFakeTimers();
    render(<ActivityBar />);
    act(() => useStore.getState().notify('info', 'web is ready'));
    act(() => useStore.getState().notify('error', 'web crashed: PID 1 ended'));
    expect(screen.getByRole('alert', { name: 'Latest notification' }).textContent).toContain('web crashed');
    const toggle = screen.getByRole('button', { name: /Notifications/ });
    expect(within(toggle).getByLabelText('2 new')).toBeTruthy();
    act(() => void vi.advanceTimersByTime(NOTICE_MS + 10));
    // The error stays until dismissed; the information went from the bar, not from the history.
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.getByRole('status', { name: 'Latest notification' }).textContent).toBe('');
    fireEvent.click(toggle);
    const history = screen.getByRole('log', { name: 'Notifications' });
    expect([...history.querySelectorAll('li span')].map((s) => s.textContent)).toEqual(['web crashed: PID 1 ended', 'web is ready']);
  });
});

const machine = (patch: Partial<MachineListItem> = {}): MachineListItem => {
  const profile = { ...defaultProfile({ name: 'web', rootfs: '/images/deb12', machineId: 'a'.repeat(32) }), image: 'deb12', storage: 'persistent' as const };
  return { profile, status: { name: 'web', state: 'running', startedAt: 't1' }, ...patch };
};

describe('the machine header', () => {
  it('keeps Kill, Delete and Reset in a menu, and asks in the window what each loses (never confirm())', async () => {
    const confirm = vi.spyOn(window, 'confirm');
    render(<MachineHeader item={machine()} />);
    fireEvent.click(screen.getByRole('button', { name: 'More actions' }));
    expect(screen.getByRole('menuitem', { name: /Delete…/ }).getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByRole('menuitem', { name: /Reset to image…/ }).getAttribute('aria-disabled')).toBe('true');
    fireEvent.click(screen.getByRole('menuitem', { name: /Kill…/ }));
    const dialog = screen.getByRole('alertdialog', { name: 'Kill web?' });
    expect(dialog.textContent).toContain('without a clean shutdown');
    // Focus starts on the way back: Enter alone never destroys anything.
    expect(document.activeElement?.textContent).toBe('Cancel');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(host.calls.filter((c) => c[0] === 'machines.kill')).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'More actions' }));
    fireEvent.click(screen.getByRole('menuitem', { name: /Kill…/ }));
    await act(async () => void fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Kill' })));
    expect(host.calls).toContainEqual(['machines.kill', 'web']);
    expect(confirm).not.toHaveBeenCalled();
  });

  it('names what a delete loses and keeps', () => {
    render(<MachineHeader item={machine({ status: { name: 'web', state: 'exited', message: 'stopped on request' } })} />);
    // A machine that stopped cleanly reads "stopped", with nothing glued to it.
    expect(screen.getByText('stopped').getAttribute('data-state')).toBe('exited');
    fireEvent.click(screen.getByRole('button', { name: 'More actions' }));
    fireEvent.click(screen.getByRole('menuitem', { name: /Delete…/ }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete web?' });
    expect(dialog.textContent).toContain('its settings');
    expect(dialog.textContent).toContain('Kept: the image deb12 (other machines can use it).');
  });

  it('shows settings saved since the launch as pending, and a forward that waits for the restart as no link', () => {
    const web = { host: 8080, guest: 80, protocol: 'tcp' as const, address: 'loopback' as const };
    const more = { host: 8081, guest: 8000, protocol: 'tcp' as const, address: 'loopback' as const };
    const item = machine();
    const applied = { ...item.profile, network: { mode: 'nat' as const, ports: [web] } };
    const saved = { ...item.profile, network: { mode: 'nat' as const, ports: [web, more] } };
    render(<MachineHeader item={{ ...item, profile: saved, applied }} />);
    expect(screen.getByRole('status').textContent).toContain('Saved changes to network apply when web next starts.');
    cleanup();
    render(<MachineFacts item={{ ...item, profile: saved, applied }} up />);
    expect(screen.getByRole('link', { name: '127.0.0.1:8080 → 80/tcp' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: /8081/ })).toBeNull();
    expect(screen.getByText('127.0.0.1:8081 → 8000/tcp (after restart)')).toBeTruthy();
  });
});
