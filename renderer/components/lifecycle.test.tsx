// @vitest-environment jsdom
// The snapshot timeline, Clone and Export, and disk use, against a fake host that records every call.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MachineListItem } from '../../electron/contract/api';
import type { LifecycleProgress, SnapshotListView } from '../../electron/contract/lifecycle';
import { defaultProfile } from '../../electron/contract/profile';
import { useLifecycle } from '../state/lifecycle';
import { useStore } from '../state/store';
import { ActivityBar } from './ActivityBar';
import { MachineDiskUse } from './DiskUse';
import { LifecycleActions } from './LifecycleActions';
import { SnapshotTimeline } from './SnapshotTimeline';

const host = vi.hoisted(() => ({
  calls: [] as unknown[][],
  snapshots: { storage: 'persistent', snapshots: [] } as SnapshotListView,
  fail: undefined as string | undefined,
  listeners: new Map<string, (p: unknown) => void>(),
}));
vi.mock('../api/client', () => ({
  getApi: () => ({
    invoke: async (...args: unknown[]) => {
      host.calls.push(args);
      if (host.fail && args[0] !== 'machines.snapshots' && args[0] !== 'host.info') throw new Error(host.fail);
      switch (args[0]) {
        case 'machines.snapshots':
          return host.snapshots;
        case 'machines.snapshot':
          return { id: '3', method: 'rename', ms: 12 };
        case 'machines.restore':
          return { stopped: true, ms: 40 };
        case 'machines.clone':
          return { name: (args[1] as { name: string }).name, droppedPorts: [], copiedBytes: 8 * 1024 ** 2, notes: [], ms: 90 };
        case 'host.info':
          return { user: 'u', home: '/home/u', transport: 'web', platform: 'Linux' };
        case 'machines.list':
          return { machines: [], broken: [] };
        case 'images.list':
          return [];
        default:
          return null;
      }
    },
    on: (event: string, listener: (p: unknown) => void) => {
      host.listeners.set(event, listener);
      return () => host.listeners.delete(event);
    },
  }),
  transport: () => 'web',
}));

const item = (state: 'running' | 'exited', storage: 'persistent' | 'ephemeral' = 'persistent'): MachineListItem => ({
  profile: { ...defaultProfile({ name: 'web', rootfs: '/images/web', machineId: 'a'.repeat(32) }), storage },
  status: { name: 'web', state },
});
const calls = (name: string) => host.calls.filter((c) => c[0] === name);
const settle = () => act(async () => new Promise((r) => setTimeout(r, 0)));

beforeEach(() => {
  host.calls = [];
  host.fail = undefined;
  host.snapshots = {
    storage: 'persistent',
    snapshots: [
      { id: '1', label: 'before upgrade', createdAt: '2026-11-29T10:00:00Z', current: false, ownBytes: 3 * 1024 ** 2 },
      { id: '2', label: '<img src=x onerror=alert(1)> \u202eevil', createdAt: '2026-11-29T11:00:00Z', current: true, ownBytes: 0 },
    ],
  };
  useLifecycle.setState({ jobs: {}, disk: undefined, version: 0 });
  useStore.setState({ notices: [] });
});
afterEach(cleanup);

describe('the snapshot timeline', () => {
  it('lists snapshots newest first with their label, size and the current one; labels are text, never markup', async () => {
    const { container } = render(<SnapshotTimeline item={item('exited')} />);
    await settle();
    const rows = within(screen.getByRole('list', { name: 'Snapshots of web' })).getAllByRole('listitem');
    expect(rows.map((r) => r.querySelector('strong')!.textContent)).toEqual(['<img src=x onerror=alert(1)> \u202eevil', 'before upgrade']);
    expect(rows[0]!.textContent).toContain('current');
    expect(rows[1]!.textContent).toContain('3.0 MiB of its own');
    expect(container.querySelector('img')).toBeNull();
  });

  it('takes a snapshot with a label and says how long it took', async () => {
    render(<SnapshotTimeline item={item('exited')} />);
    await settle();
    fireEvent.change(screen.getByLabelText('Label'), { target: { value: '  before the upgrade ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Take snapshot' }));
    await settle();
    expect(calls('machines.snapshot')).toEqual([['machines.snapshot', 'web', { label: 'before the upgrade' }]]);
    expect(useStore.getState().notices.map((n) => n.text)).toContain('Snapshot web@3 taken in 0.01 s.');
    expect((screen.getByLabelText('Label') as HTMLInputElement).value).toBe('');
  });

  it('asks before restoring a running machine, says it stops it first, and only then restores', async () => {
    render(<SnapshotTimeline item={item('running')} />);
    await settle();
    const oldest = screen.getAllByRole('listitem')[1]!;
    fireEvent.click(within(oldest).getByRole('button', { name: 'Restore' }));
    const ask = screen.getByRole('alertdialog');
    expect(ask.textContent).toContain('Restore web to snapshot 1 “before upgrade”? Everything it changed since is discarded; web is stopped first.');
    expect(calls('machines.restore')).toEqual([]);
    fireEvent.click(within(ask).getByRole('button', { name: 'Stop and restore' }));
    await settle();
    expect(calls('machines.restore')).toEqual([['machines.restore', 'web', '1', { stop: true }]]);
    expect(useStore.getState().notices.at(-1)?.text).toBe('web is back at snapshot 1 (it was stopped first).');
  });

  it('branches a snapshot into a new machine and opens it; deletes one after asking', async () => {
    render(<SnapshotTimeline item={item('exited')} />);
    await settle();
    fireEvent.click(within(screen.getAllByRole('listitem')[1]!).getByRole('button', { name: 'Branch…' }));
    fireEvent.change(screen.getByLabelText('Name of the new machine'), { target: { value: 'web-old' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create machine' }));
    await settle();
    expect(calls('machines.clone')).toEqual([['machines.clone', { source: 'web@1', name: 'web-old' }]]);
    expect(useStore.getState().view).toEqual({ kind: 'machine', name: 'web-old' });

    fireEvent.click(within(screen.getAllByRole('listitem')[1]!).getByRole('button', { name: 'Delete' }));
    expect(screen.getByRole('alertdialog').textContent).toContain('It frees 3.0 MiB.');
    fireEvent.click(screen.getByRole('button', { name: 'Delete snapshot' }));
    await settle();
    expect(calls('machines.snapshotRemove')).toEqual([['machines.snapshotRemove', 'web', '1']]);
  });

  it("shows the host's refusal as a notice, and explains why an ephemeral machine has none", async () => {
    render(<SnapshotTimeline item={item('exited')} />);
    await settle();
    host.fail = 'the snapshot label holds control characters';
    fireEvent.click(screen.getByRole('button', { name: 'Take snapshot' }));
    await settle();
    expect(useStore.getState().notices.at(-1)).toMatchObject({ level: 'error', text: 'the snapshot label holds control characters' });
    cleanup();
    render(<SnapshotTimeline item={item('exited', 'ephemeral')} />);
    expect(screen.getByText(/forgets its changes at every stop, so there is nothing to snapshot/)).toBeTruthy();
  });
});

describe('clone and export', () => {
  it('clones under a name the user gives, shows the job with Cancel in the task area while it runs, and opens the clone', async () => {
    render(
      <>
        <LifecycleActions item={item('running')} />
        <ActivityBar />
      </>,
    );
    await settle();
    fireEvent.click(screen.getByRole('button', { name: 'Clone…' }));
    const dialog = screen.getByRole('dialog', { name: 'Clone web' });
    fireEvent.change(within(dialog).getByLabelText('Name of the copy'), { target: { value: 'web2' } });
    const progress: LifecycleProgress = {
      job: 'clone:web2',
      kind: 'clone',
      machine: 'web',
      phase: 'copying its changes',
      bytes: 0,
      totalBytes: 0,
      entries: 120,
    };
    act(() => host.listeners.get('lifecycle.progress')!(progress));
    const task = screen.getByRole('status', { name: 'Task at work' });
    expect(task.textContent).toContain('Cloning web into web2: copying its changes · 120 files');
    expect(screen.getByRole('button', { name: 'Clone…' })).toHaveProperty('disabled', true);
    fireEvent.click(within(task).getByRole('button', { name: 'Cancel' }));
    expect(calls('lifecycle.cancel')).toEqual([['lifecycle.cancel', 'clone:web2']]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Clone' }));
    await settle();
    expect(calls('machines.clone')).toEqual([['machines.clone', { source: 'web', name: 'web2' }]]);
    act(() => host.listeners.get('lifecycle.progress')!({ ...progress, done: 'ok' }));
    expect(screen.queryByRole('status', { name: 'Task at work' })).toBeNull();
    expect(useStore.getState().view).toEqual({ kind: 'machine', name: 'web2' });
  });

  it('offers an archive in the home folder and exports to the path typed', async () => {
    render(<LifecycleActions item={item('exited')} />);
    await settle();
    fireEvent.click(screen.getByRole('button', { name: 'Export…' }));
    const field = screen.getByLabelText('Archive (.tar, .tar.zst or .tar.xz)') as HTMLInputElement;
    expect(field.value).toBe('/home/u/web.tar.zst');
    fireEvent.change(field, { target: { value: '/home/u/moved.tar.xz' } });
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await settle();
    expect(calls('machines.export')).toEqual([['machines.export', { source: 'web', file: '/home/u/moved.tar.xz', oci: false }]]);
  });

  it('exports an OCI image to a plain .tar when asked, and says how to load it', async () => {
    render(<LifecycleActions item={item('exited')} />);
    await settle();
    fireEvent.click(screen.getByRole('button', { name: 'Export…' }));
    fireEvent.click(screen.getByLabelText('An OCI image, for podman load or docker load'));
    const field = screen.getByLabelText('Image archive (.tar)') as HTMLInputElement;
    expect(field.value).toBe('/home/u/web-oci.tar');
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await settle();
    expect(calls('machines.export')).toEqual([['machines.export', { source: 'web', file: '/home/u/web-oci.tar', oci: true }]]);
    // Unticked again, the name goes back to Burrow's own archive.
    fireEvent.click(screen.getByRole('button', { name: 'Export…' }));
    fireEvent.click(screen.getByLabelText('An OCI image, for podman load or docker load'));
    fireEvent.click(screen.getByLabelText('An OCI image, for podman load or docker load'));
    expect((screen.getByLabelText('Archive (.tar, .tar.zst or .tar.xz)') as HTMLInputElement).value).toBe('/home/u/web.tar.zst');
  });
});

describe('disk use in the machine list', () => {
  it('shows what a machine owns, with what it shares and what reset frees on hover', () => {
    useLifecycle.setState({
      disk: {
        images: [],
        totalBytes: 0,
        copyOnWrite: false,
        machines: [
          {
            name: 'web',
            storage: 'persistent',
            image: 'deb12',
            sharedBytes: 207 * 1024 ** 2,
            ownBytes: 24 * 1024 ** 2,
            upperBytes: 8 * 1024 ** 2,
            resetFrees: 8 * 1024 ** 2,
            rmFrees: 24 * 1024 ** 2,
            snapshots: [],
          },
        ],
      },
    });
    render(<MachineDiskUse name="web" />);
    const use = screen.getByText('24.0 MiB');
    expect(use.getAttribute('title')).toBe('24.0 MiB of its own (changes); it reads 207 MiB of image deb12 shared with others; Reset frees 8.0 MiB');
  });
});
