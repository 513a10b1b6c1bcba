// Snapshots, clones, exports and disk use in the window: the calls, their notices, and a small store of
// what the host last said about disk use and about running lifecycle jobs (every window sees every job).
import { create } from 'zustand';
import type { DiskUsageReport, LifecycleProgress } from '../../electron/contract/lifecycle';
import { formatBytes } from '../../electron/contract/format-units';
import { getApi } from '../api/client';
import { refreshMachines } from './actions';
import { useStore } from './store';

interface LifecycleState {
  disk?: DiskUsageReport;
  /** Running jobs by id (`clone:NEW`, `export:SOURCE`…), and the last report of ended ones until dismissed. */
  jobs: Record<string, LifecycleProgress>;
  /** Bumped after a change, so a snapshot list reloads. */
  version: number;
  setDisk(d: DiskUsageReport): void;
  setJob(p: LifecycleProgress): void;
  forget(job: string): void;
  bump(): void;
}

export const useLifecycle = create<LifecycleState>((set) => ({
  jobs: {},
  version: 0,
  setDisk: (disk) => set({ disk }),
  setJob: (p) => set((s) => ({ jobs: { ...s.jobs, [p.job]: p } })),
  forget: (job) => set((s) => ({ jobs: Object.fromEntries(Object.entries(s.jobs).filter(([k]) => k !== job)) })),
  bump: () => set((s) => ({ version: s.version + 1 })),
}));

let watchers = 0;
let unsubscribe: (() => void) | undefined;
/** Listens to the host's job progress while any component needs it (returns the release). */
export function watchLifecycle(): () => void {
  if (watchers++ === 0) unsubscribe = getApi().on('lifecycle.progress', (p) => useLifecycle.getState().setJob(p));
  return () => {
    if (--watchers === 0) unsubscribe?.();
  };
}

let diskPending: Promise<void> | undefined;
/** Disk use of every image, machine and snapshot (one du run on the host); concurrent asks share one call. */
export function refreshDisk(): Promise<void> {
  // Lists mount before the connection exists (children's effects run first): asked again once they fill.
  diskPending ??= Promise.resolve()
    .then(() => getApi().invoke('disk.usage'))
    .then((d) => useLifecycle.getState().setDisk(d))
    .catch(() => undefined)
    .finally(() => (diskPending = undefined));
  return diskPending;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const droppedNote = (n: number) => `; its ${n} port forward${n > 1 ? 's were' : ' was'} not copied (both machines would claim them)`;

async function report<T>(work: () => Promise<T>, done: (r: T) => string): Promise<T | undefined> {
  const s = useStore.getState();
  try {
    const r = await work();
    s.notify('info', done(r));
    useLifecycle.getState().bump();
    void refreshMachines();
    void refreshDisk();
    return r;
  } catch (e) {
    s.notify('error', (e as Error).message);
    return undefined;
  }
}

export const takeSnapshot = (name: string, label: string) =>
  report(
    () => getApi().invoke('machines.snapshot', name, label.trim() ? { label: label.trim() } : {}),
    (r) => `Snapshot ${name}@${r.id} taken in ${secs(r.ms)}${r.frozenMs !== undefined ? ` (${name} paused for ${secs(r.frozenMs)})` : ''}.`,
  );

export const restoreSnapshot = (name: string, id: string, stop: boolean) =>
  report(
    () => getApi().invoke('machines.restore', name, id, { stop }),
    (r) => `${name} is back at snapshot ${id}${r.stopped ? ' (it was stopped first)' : ''}.`,
  );

export const deleteSnapshot = (name: string, id: string) =>
  report(
    () => getApi().invoke('machines.snapshotRemove', name, id),
    () => `Snapshot ${name}@${id} deleted.`,
  );

export const cloneMachine = (source: string, name: string) =>
  report(
    () => getApi().invoke('machines.clone', { source, name }),
    (r) => `${source} cloned into ${name}: ${formatBytes(r.copiedBytes)} copied${r.droppedPorts.length ? droppedNote(r.droppedPorts.length) : ''}.`,
  );

export const exportMachine = (source: string, file: string, oci = false) =>
  report(
    () => getApi().invoke('machines.export', { source, file, oci }),
    (r) =>
      r.ociReference
        ? `${source} exported to ${r.file} (${formatBytes(r.bytes)}), an OCI image: podman load -i ${r.file} gives ${r.ociReference}.`
        : `${source} exported to ${r.file} (${formatBytes(r.bytes)}).`,
  );

export const cancelJob = (job: string) => void getApi().invoke('lifecycle.cancel', job);
