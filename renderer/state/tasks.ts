// Long work the host does for any window: image builds and imports (images.progress) and clones, exports,
// snapshots and restores (lifecycle.progress, kept in lifecycle.ts). The task area lists them wherever the
// user goes, with progress and Cancel; a window that opens or reloads while they run asks the host for
// them (jobs.list), so none runs unseen.
import { create } from 'zustand';
import type { ImageProgress } from '../../electron/contract/image';
import type { LifecycleProgress } from '../../electron/contract/lifecycle';
import { formatBytes } from '../../electron/contract/format-units';
import { getApi } from '../api/client';
import { refreshImages } from './actions';
import { useLifecycle, watchLifecycle } from './lifecycle';
import { useStore } from './store';

interface ImageJobsState {
  /** By image name: the running ones, and an ended one until the next of that name. */
  jobs: Record<string, ImageProgress>;
  setJob(p: ImageProgress): void;
}

export const useImageJobs = create<ImageJobsState>((set) => ({
  jobs: {},
  setJob: (p) => set((s) => ({ jobs: { ...s.jobs, [p.name]: p } })),
}));

type Progress = Pick<ImageProgress, 'phase' | 'bytes' | 'totalBytes' | 'entries'>;

export interface Task {
  id: string;
  title: string;
  progress: Progress;
  /** 0-100 where the total is known. */
  percent?: number;
  cancel(): void;
}

export const percentOf = (p: Progress): number | undefined => (p.totalBytes ? Math.min(100, Math.floor((p.bytes / p.totalBytes) * 100)) : undefined);

/** `unpacking · 45% of 242 MiB · 1200 files`. */
export function progressText(p: Progress): string {
  const pct = percentOf(p);
  const size = pct !== undefined ? ` · ${pct}% of ${formatBytes(p.totalBytes)}` : p.bytes ? ` · ${formatBytes(p.bytes)}` : '';
  return `${p.phase}${size}${p.entries ? ` · ${p.entries} files` : ''}`;
}

const imageTitle = (p: ImageProgress) => (p.kind === 'build' ? `Building Debian image ${p.name}` : `Importing image ${p.name}`);

const LIFECYCLE_TITLES: Record<LifecycleProgress['kind'], (p: LifecycleProgress) => string> = {
  clone: (p) => `Cloning ${p.machine} into ${p.job.slice('clone:'.length)}`,
  export: (p) => `Exporting ${p.machine}`,
  snapshot: (p) => `Taking a snapshot of ${p.machine}`,
  restore: (p) => `Restoring ${p.machine}`,
};

const cancelImage = (name: string) =>
  void getApi()
    .invoke('images.cancel', name)
    .catch(() => undefined);
const cancelLifecycle = (job: string) =>
  void getApi()
    .invoke('lifecycle.cancel', job)
    .catch(() => undefined);

/** The tasks running now: image jobs first, then lifecycle jobs, each as it last reported. */
export function runningTasks(images: Record<string, ImageProgress>, lifecycle: Record<string, LifecycleProgress>): Task[] {
  return [
    ...Object.values(images)
      .filter((p) => !p.done)
      .map((p) => ({ id: `image:${p.name}`, title: imageTitle(p), progress: p, percent: percentOf(p), cancel: () => cancelImage(p.name) })),
    ...Object.values(lifecycle)
      .filter((p) => !p.done)
      .map((p) => ({ id: p.job, title: LIFECYCLE_TITLES[p.kind](p), progress: p, percent: percentOf(p), cancel: () => cancelLifecycle(p.job) })),
  ];
}

/** The running tasks, for components. */
export function useTasks(): Task[] {
  const images = useImageJobs((s) => s.jobs);
  const lifecycle = useLifecycle((s) => s.jobs);
  return runningTasks(images, lifecycle);
}

/** An image job that ended: said in the notices (whoever started it, and wherever the user is now). */
function imageEnded(p: ImageProgress): void {
  const what = p.kind === 'build' ? `Debian image ${p.name}` : `Image ${p.name}`;
  if (p.done === 'ok') useStore.getState().notify('info', `${what} is ready.`);
  else if (p.done === 'failed') useStore.getState().notify('error', `${what} could not be made: ${p.message ?? 'it failed'}`);
  else useStore.getState().notify('info', `${what} was cancelled; nothing was kept.`);
  void refreshImages().catch(() => undefined);
}

/** Listens for job progress and asks the host which jobs already run. Returns the release. */
export function watchTasks(): () => void {
  const api = getApi();
  const offImages = api.on('images.progress', (p) => {
    const before = useImageJobs.getState().jobs[p.name];
    useImageJobs.getState().setJob(p);
    if (p.done && !before?.done) imageEnded(p);
  });
  const releaseLifecycle = watchLifecycle();
  void api.invoke('jobs.list').then(
    ({ images, lifecycle }) => {
      for (const p of images) useImageJobs.getState().setJob(p);
      for (const p of lifecycle) useLifecycle.getState().setJob(p);
    },
    () => undefined,
  );
  return () => {
    offImages();
    releaseLifecycle();
  };
}
