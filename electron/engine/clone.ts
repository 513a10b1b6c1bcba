// `burrow clone SRC[@SNAPSHOT] NEW`: an independent machine with the same content and settings: a new
// machine id (so its own cgroup and systemd identity), its own overlay, no snapshots of its own.
//
// - persistent: the layers it boots from and its upper layer are copied (`cp --reflink=auto`: copy-on-write
//   on btrfs and XFS); the image is shared, as between any two machines made from it.
// - direct: its whole folder is copied into the new machine's data folder, which the new machine then owns.
// - ephemeral: nothing of it is kept, so the clone is its settings alone.
// A running source is frozen (cgroup.freeze) while its upper layer (or folder) is copied, then thawed.
// Port forwards are not copied: two machines cannot hold the same host port; the result says which went.
// Everything is built in a staging folder and renamed into place; the profile is written last.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MachineProfile, PortForward } from '../contract/profile';
import { BurrowError } from './errors';
import { withFrozen } from './freeze';
import { branchStack, chainOf, type LayerStack } from './layer-stack';
import { activity, stagingFolder, withJob, withMachineClaim } from './lifecycle-common';
import { removeMappedTree } from './mapped-exec';
import { newMachineId } from './machines';
import { persistentOverlayDir } from './overlay';
import { checkName, createProfile, exists, loadProfile, validateProfile } from './profiles';
import { layerDir, loadStack, upperDir } from './snapshot-store';
import { parseMachineRef, type MachineRef } from './snapshot-ref';
import { checkSnapshotFits, snapshotOf } from './snapshots';
import { checkSpace, copyTree, diskUsage, offersReflinks, type CopyOptions } from './tree-copy';
import { writeJsonAtomic } from './atomic-file';

export interface CloneResult {
  profile: MachineProfile;
  from: MachineRef;
  droppedPorts: PortForward[];
  copiedBytes: number;
  copyOnWrite: boolean;
  /** How long a running source was frozen. */
  frozenMs?: number;
  ms: number;
  notes: string[];
}

/** The new machine's settings: the source's, under its own name and id, without the source's host ports. */
export function cloneProfile(source: MachineProfile, name: string, machineId: string, rootfs = source.rootfs): MachineProfile {
  const defaultHostname = source.name.replace(/_/g, '-');
  return validateProfile({
    ...source,
    name,
    machineId,
    rootfs,
    hostname: source.hostname === defaultHostname ? name.replace(/_/g, '-') : source.hostname,
    network: { ...source.network, ports: [] },
  });
}

/** What gets copied, as (source folder, folder in the new machine's data folder) pairs. */
interface CopyPlan {
  layers: [string, string][];
  /** Copied with the source frozen when it runs (its upper layer, or a direct machine's folder). */
  live?: [string, string];
  stack?: LayerStack;
  rootfs?: string;
}

function planCopies(profile: MachineProfile, ref: MachineRef, state: 'stopped' | 'running'): CopyPlan {
  const name = profile.name;
  if (profile.storage === 'ephemeral') return { layers: [] };
  if (ref.snapshot !== undefined) {
    const { stack, snapshot } = snapshotOf(name, ref.snapshot);
    checkSnapshotFits(profile, stack, snapshot);
    if (profile.storage === 'direct') return { layers: [[layerDir(name, snapshot.layer), 'rootfs']], rootfs: 'rootfs' };
    const chain = chainOf(stack, snapshot.layer);
    return { layers: chain.map((id) => [layerDir(name, id), path.join('layers', id)]), stack: branchStack(stack, snapshot.layer) };
  }
  if (profile.storage === 'direct')
    return {
      layers: state === 'running' ? [] : [[profile.rootfs, 'rootfs']],
      live: state === 'running' ? [profile.rootfs, 'rootfs'] : undefined,
      rootfs: 'rootfs',
    };
  const stack = loadStack(name);
  const layers: [string, string][] = chainOf(stack, stack.base).map((id) => [layerDir(name, id), path.join('layers', id)]);
  const upper: [string, string] = [upperDir(name), 'upper'];
  const hasUpper = fs.existsSync(upper[0]);
  return {
    layers: state === 'stopped' && hasUpper ? [...layers, upper] : layers,
    live: state === 'running' && hasUpper ? upper : undefined,
    stack: branchStack(stack, stack.base),
  };
}

export async function cloneMachine(sourceRef: string, target: string, opts: CopyOptions = {}): Promise<CloneResult> {
  const ref = parseMachineRef(sourceRef);
  checkName(target);
  const source = loadProfile(ref.machine);
  if (ref.machine === target || exists(target))
    throw new BurrowError('exists', `a machine named "${target}" already exists`, `choose another name for the clone, or remove it first: burrow rm ${target}`);
  return withMachineClaim([ref.machine, target], 'cloned', async () => {
    const started = Date.now();
    if (exists(target)) throw new BurrowError('exists', `a machine named "${target}" already exists`, `choose another name for the clone`);
    const state = ref.snapshot === undefined ? activity(ref.machine, 'clone') : 'stopped';
    const plan = planCopies(source, ref, state);
    const notes: string[] = [];
    if (source.storage === 'ephemeral') notes.push(`${ref.machine} is ephemeral and keeps nothing: the clone starts from its image`);
    const final = persistentOverlayDir(target);
    // Our claim on the new name is held: a folder there without a machine is what an earlier one left.
    if (fs.existsSync(final)) removeMappedTree(final);
    const sources = [...plan.layers.map(([s]) => s), ...(plan.live ? [plan.live[0]] : [])];
    const sizes = diskUsage(sources);
    const copiedBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
    const parent = path.dirname(final);
    fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
    checkSpace(parent, copiedBytes, `the clone of ${ref.machine}`);
    const profile = cloneProfile(source, target, newMachineId(), plan.rootfs ? path.join(final, plan.rootfs) : source.rootfs);
    let frozenMs: number | undefined;
    await withJob(async (job) => {
      const staging = stagingFolder(job, parent, target);
      const copy = async ([from, to]: [string, string]) => {
        const dest = path.join(staging, to);
        fs.mkdirSync(dest, { recursive: true });
        await copyTree(from, dest, {
          ...opts,
          phase: `copying ${path.basename(to) === 'upper' ? 'its changes' : to.startsWith('layers') ? 'its layers' : 'its files'}`,
        });
      };
      for (const pair of plan.layers) await copy(pair);
      if (plan.live) frozenMs = (await withFrozen(ref.machine, 'clone', () => copy(plan.live!))).frozenMs;
      if (plan.stack) writeJsonAtomic(path.join(staging, 'stack.json'), plan.stack, 0o600);
      job.add({ remove: final, unlessMachine: target });
      fs.renameSync(staging, final);
      createProfile(profile);
    });
    return {
      profile,
      from: ref,
      droppedPorts: source.network.ports,
      copiedBytes,
      copyOnWrite: offersReflinks(parent),
      frozenMs,
      ms: Date.now() - started,
      notes,
    };
  });
}
