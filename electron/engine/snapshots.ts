// `burrow snapshot`, `snapshot ls`, `snapshot rm` and `restore`: the machine's history as frozen layers
// (layer-stack.ts explains the model, snapshot-store.ts the files).
//
// - A stopped persistent machine: its upper layer is renamed into a layer (constant time, no copy).
// - A running one: its processes are frozen (cgroup.freeze) while the upper layer is copied, then thawed;
//   the machine keeps running on its upper layer, the snapshot is a sibling of it in the tree.
// - A direct machine: a full copy of its folder (frozen while it runs).
// - An ephemeral machine keeps nothing, so it has nothing to snapshot.
// Restore is refused while the machine runs, unless asked to stop it first.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SnapshotListView } from '../contract/lifecycle';
import type { MachineProfile } from '../contract/profile';
import { BurrowError } from './errors';
import { withFrozen } from './freeze';
import { addSnapshot, findSnapshot, planSquash, removeSnapshot, restoreTo, stackUsage, type LayerStack, type SnapshotEntry } from './layer-stack';
import { mergeLayers } from './layer-merge';
import { activity, stagingFolder, withJob, withMachineClaim } from './lifecycle-common';
import { removeMappedTree, renameMappedTree } from './mapped-exec';
import { stopMachine } from './machines';
import { persistentOverlayDir } from './overlay';
import { loadProfile } from './profiles';
import { commitWithUpperMoved, layerDir, layersDir, loadStack, newLayerId, removeUnusedLayers, saveStack, upperDir } from './snapshot-store';
import { checkLabel, checkSnapshotId } from './snapshot-ref';
import { checkSpace, copyTree, diskUsage, offersReflinks, type CopyOptions } from './tree-copy';
import { jobTag, OLD_MARK } from './work-journal';
import { forgetHostKeys } from './ssh';

export interface SnapshotResult {
  snapshot: SnapshotEntry;
  /** How it was made: a rename of the upper layer, or a copy (frozen for `frozenMs` while running). */
  method: 'rename' | 'copy';
  frozenMs?: number;
  copyOnWrite?: boolean;
  squashed: number;
  ms: number;
}

function refuseEphemeral(profile: MachineProfile, what: string): void {
  if (profile.storage === 'ephemeral') {
    throw new BurrowError(
      'invalid-input',
      `machine "${profile.name}" is ephemeral: it keeps nothing after it stops, so there is nothing to ${what}`,
      `keep its changes first: burrow edit ${profile.name} --persistent`,
    );
  }
}

/** Copies `source` into a new layer folder (staged, then renamed into place). */
function copyIntoLayer(machine: string, id: string, source: string, opts: CopyOptions): Promise<void> {
  return withJob(async (job) => {
    const staging = stagingFolder(job, layersDir(machine), id);
    await copyTree(source, staging, opts);
    fs.renameSync(staging, layerDir(machine, id));
  });
}

/** Merges the bottom layers of the chain under `top` until it fits overlayfs's bound (stopped machines only). */
async function squash(machine: string, stack: LayerStack, top: string | null, opts: CopyOptions): Promise<{ stack: LayerStack; squashed: number }> {
  const { stack: planned, steps } = planSquash(stack, top, newLayerId);
  if (!steps.length) return { stack, squashed: 0 };
  return withJob(async (job) => {
    for (const step of steps) {
      const staging = stagingFolder(job, layersDir(machine), step.into);
      await mergeLayers(layerDir(machine, step.lower), layerDir(machine, step.upper), staging, { ...opts, phase: 'squashing old layers' });
      fs.renameSync(staging, layerDir(machine, step.into));
    }
    saveStack(machine, planned);
    return { stack: planned, squashed: steps.length };
  });
}

export async function takeSnapshot(name: string, opts: CopyOptions & { label?: string } = {}): Promise<SnapshotResult> {
  const label = opts.label === undefined ? undefined : checkLabel(opts.label);
  const profile = loadProfile(name);
  refuseEphemeral(profile, 'snapshot');
  return withMachineClaim([name], 'snapshotted', async () => {
    const started = Date.now();
    const state = activity(name, 'snapshot');
    const stack = loadStack(name);
    const id = newLayerId();
    const createdAt = new Date().toISOString();
    fs.mkdirSync(layersDir(name), { recursive: true, mode: 0o700 });
    if (profile.storage === 'persistent' && state === 'stopped') {
      const { stack: next, snapshot } = addSnapshot(stack, id, { kind: 'diff', label, createdAt, rebase: true });
      commitWithUpperMoved(name, next, () => renameMappedTree(upperDir(name), layerDir(name, id)));
      const { stack: squashed, squashed: count } = await squash(name, next, next.base, opts);
      removeUnusedLayers(name, squashed);
      return { snapshot, method: 'rename', squashed: count, ms: Date.now() - started };
    }
    const source = profile.storage === 'persistent' ? upperDir(name) : profile.rootfs;
    fs.mkdirSync(source, { recursive: true, mode: 0o755 });
    checkSpace(layersDir(name), diskUsage([source]).get(source) ?? 0, 'the snapshot');
    const copy = () => copyIntoLayer(name, id, source, { ...opts, phase: 'copying' });
    const frozenMs = state === 'running' ? (await withFrozen(name, 'snapshot', copy)).frozenMs : (await copy(), undefined);
    const kind = profile.storage === 'persistent' ? 'diff' : 'full';
    const { stack: next, snapshot } = addSnapshot(stack, id, { kind, label, createdAt, rebase: false });
    saveStack(name, next);
    return { snapshot, method: 'copy', frozenMs, copyOnWrite: offersReflinks(layersDir(name)), squashed: 0, ms: Date.now() - started };
  });
}

export function listSnapshots(name: string, opts: { sizes?: boolean } = {}): SnapshotListView {
  const profile = loadProfile(name);
  const stack = loadStack(name);
  let own: number[] = [];
  if (opts.sizes) {
    const dirs = Object.keys(stack.layers).map((id) => layerDir(name, id));
    const sizes = diskUsage(dirs);
    own = stackUsage(stack, Object.fromEntries(Object.keys(stack.layers).map((id) => [id, sizes.get(layerDir(name, id)) ?? 0]))).snapshots.map(
      (s) => s.ownBytes,
    );
  }
  return {
    storage: profile.storage,
    snapshots: stack.snapshots.map((s, i) => ({
      id: s.id,
      ...(s.label ? { label: s.label } : {}),
      createdAt: s.createdAt,
      current: stack.base === s.layer,
      ...(opts.sizes ? { ownBytes: own[i] } : {}),
    })),
  };
}

export function snapshotOf(name: string, id: string): { profile: MachineProfile; stack: LayerStack; snapshot: SnapshotEntry } {
  checkSnapshotId(id);
  const profile = loadProfile(name);
  const stack = loadStack(name);
  const snapshot = findSnapshot(stack, id);
  if (!snapshot) throw new BurrowError('not-found', `machine "${name}" has no snapshot ${id}`, `see its snapshots with: burrow snapshot ls ${name}`);
  return { profile, stack, snapshot };
}

/** A snapshot taken as a full copy (direct storage) or as a layer (an overlay) fits only a machine stored that way now. */
export function checkSnapshotFits(profile: MachineProfile, stack: LayerStack, snapshot: SnapshotEntry): void {
  const full = stack.layers[snapshot.layer]!.kind === 'full';
  if (full !== (profile.storage === 'direct')) {
    throw new BurrowError(
      'invalid-input',
      `snapshot ${snapshot.id} of "${profile.name}" was taken while it used ${full ? 'direct' : 'overlay'} storage, and it now uses ${profile.storage}`,
      `switch back first (burrow edit ${profile.name} --${full ? 'direct' : 'persistent'}), then restore`,
    );
  }
}

export async function removeSnapshotOf(name: string, id: string): Promise<void> {
  snapshotOf(name, id);
  await withMachineClaim([name], 'changed', async () => {
    const { stack } = snapshotOf(name, id);
    const next = removeSnapshot(stack, id);
    saveStack(name, next);
    // A running machine may boot from any layer it had at start: its unused layers go at the next stopped change.
    if (activity(name, 'snapshot removal') === 'stopped') removeUnusedLayers(name, next);
  });
}

export interface RestoreOptions extends CopyOptions {
  /** Stop a running machine first (the window asks; the CLI needs --stop). */
  stop?: boolean;
}

export async function restoreSnapshot(name: string, id: string, opts: RestoreOptions = {}): Promise<{ stopped: boolean; ms: number }> {
  const { profile } = snapshotOf(name, id);
  refuseEphemeral(profile, 'restore');
  let stopped = false;
  if (activity(name, 'restore') === 'running') {
    if (!opts.stop)
      throw new BurrowError(
        'already-running',
        `machine "${name}" is running: restoring replaces everything it sees`,
        `stop it first (burrow stop ${name}), or let restore do it: burrow restore ${name} ${id} --stop`,
      );
    await stopMachine(name, 'stop');
    stopped = true;
  }
  return withMachineClaim([name], 'restored', async () => {
    const started = Date.now();
    if (activity(name, 'restore') === 'running')
      throw new BurrowError('already-running', `machine "${name}" was started again meanwhile`, `stop it: burrow stop ${name}`);
    const { stack, snapshot } = snapshotOf(name, id);
    checkSnapshotFits(profile, stack, snapshot);
    if (profile.storage === 'direct') await replaceFolder(profile.rootfs, layerDir(name, snapshot.layer), opts);
    else {
      await withJob(async (job) => {
        const aside = path.join(persistentOverlayDir(name), `.upper${OLD_MARK}${jobTag()}`);
        job.add({ remove: aside });
        commitWithUpperMoved(name, restoreTo(stack, snapshot), () => fs.renameSync(upperDir(name), aside));
        removeMappedTree(aside);
      });
      const { stack: squashed } = await squash(name, loadStack(name), snapshot.layer, opts);
      removeUnusedLayers(name, squashed);
    }
    // The snapshot's sshd may hold other host keys than the ones ssh last saw.
    forgetHostKeys(profile.machineId);
    return { stopped, ms: Date.now() - started };
  });
}

/**
 * Replaces a direct machine's folder by a copy of `source`: the copy is made beside it, then the two are
 * swapped by renames; a run killed between them has the old folder put back by the next command.
 */
async function replaceFolder(target: string, source: string, opts: CopyOptions): Promise<void> {
  const parent = path.dirname(target);
  try {
    fs.accessSync(parent, fs.constants.W_OK);
  } catch {
    throw new BurrowError(
      'invalid-input',
      `cannot restore into ${target}: its parent folder is not writable by you, and the copy is made beside it`,
      'restore into a clone instead: burrow clone NAME@SNAPSHOT NEW',
    );
  }
  checkSpace(parent, diskUsage([source]).get(source) ?? 0, 'the restore');
  const base = path.basename(target);
  const aside = path.join(parent, `.${base}${OLD_MARK}${jobTag()}`);
  await withJob(async (job) => {
    const staging = stagingFolder(job, parent, base);
    await copyTree(source, staging, { ...opts, phase: 'restoring' });
    job.add({ moveBack: aside, to: target });
    fs.renameSync(target, aside);
    fs.renameSync(staging, target);
    // Swapped: the old folder is only in the way now (a run killed here has it removed later).
    job.add({ remove: aside });
    removeMappedTree(aside);
  });
}
