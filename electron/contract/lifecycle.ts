// Clone, snapshots, export and disk use as the window and the CLI see them: shared by the engine, the host
// and the renderer (plain types, no runtime).
import type { StorageMode } from './profile';

export interface SnapshotView {
  id: string;
  label?: string;
  createdAt: string;
  /** The machine's changes sit on this snapshot (restored to it, or taken while it was stopped). */
  current: boolean;
  /** Bytes only this snapshot holds: what deleting it frees (where sizes were asked for). */
  ownBytes?: number;
}

export interface SnapshotListView {
  storage: StorageMode;
  snapshots: SnapshotView[];
}

export type LifecycleKind = 'clone' | 'export' | 'snapshot' | 'restore';

/** Progress of a long lifecycle job started from a window: every window sees it, a reload does not cancel it. */
export interface LifecycleProgress {
  /** `clone:NEW`, `export:SOURCE`: what cancel names. */
  job: string;
  kind: LifecycleKind;
  machine: string;
  phase: string;
  bytes: number;
  /** 0 where the total is not known in advance. */
  totalBytes: number;
  entries: number;
  /** Set once, when the job ended. */
  done?: 'ok' | 'failed' | 'cancelled';
  message?: string;
}

export interface ImageDiskUse {
  name: string;
  bytes: number;
  inPlace: boolean;
  machines: string[];
  /** What `burrow image rm` frees: null while machines use it (it is refused), 0 for an image used in place. */
  rmFrees: number | null;
}

export interface SnapshotDiskUse {
  id: string;
  label?: string;
  createdAt: string;
  /** Bytes only this snapshot holds: what `burrow snapshot rm` frees. */
  ownBytes: number;
  /** Bytes of every layer it needs (shared with the machine or other snapshots). */
  totalBytes: number;
}

export interface MachineDiskUse {
  name: string;
  storage: StorageMode;
  image?: string;
  /** The image (or folder) it reads without owning it. */
  sharedBytes: number;
  /** Everything it owns: its changes, its layers and snapshots, a folder it was cloned into. */
  ownBytes: number;
  upperBytes: number;
  /** What `burrow reset` frees (its changes and layers no snapshot holds); null where reset does not apply. */
  resetFrees: number | null;
  /** What `burrow rm` frees (a direct machine's own folder outside the data folder is kept). */
  rmFrees: number;
  snapshots: SnapshotDiskUse[];
}

export interface DiskUsageReport {
  images: ImageDiskUse[];
  machines: MachineDiskUse[];
  /** Every byte above counted once. */
  totalBytes: number;
  /** The data folder's file system shares copies (reflinks), which du counts in full. */
  copyOnWrite: boolean;
}
