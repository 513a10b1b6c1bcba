// Where a machine's snapshots live: $XDG_DATA_HOME/burrow/overlays/NAME/ holds upper/ and work/ (the
// overlay), layers/ID/ (frozen layers, or full copies for a direct machine) and stack.json (layer-stack.ts).
//
// Moving the upper layer aside (taking a snapshot of a stopped machine, restoring one) and writing the new
// stack cannot happen in one step, so the new stack is written first as stack.pending.json, naming its
// writer; the rename of upper/ is the commit. A pending stack whose writer died is kept if upper/ is gone
// (the rename happened) and dropped if not, by whoever reads the stack next.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MachineProfile } from '../contract/profile';
import { writeJsonAtomic } from './atomic-file';
import { BurrowError } from './errors';
import { chainOf, collectGarbage, emptyStack, resetBase, stackSchema, type LayerStack } from './layer-stack';
import { removeMappedTree } from './mapped-exec';
import { discardOverlay, persistentOverlayDir } from './overlay';
import { processStartTime } from './runtime-state';
import { beginJob, jobTag, OLD_MARK } from './work-journal';

export const stackFile = (machine: string): string => path.join(persistentOverlayDir(machine), 'stack.json');
const pendingFile = (machine: string): string => path.join(persistentOverlayDir(machine), 'stack.pending.json');
export const upperDir = (machine: string): string => path.join(persistentOverlayDir(machine), 'upper');
export const layersDir = (machine: string): string => path.join(persistentOverlayDir(machine), 'layers');
export const layerDir = (machine: string, id: string): string => path.join(layersDir(machine), id);
export const newLayerId = (): string => `l${randomBytes(6).toString('hex')}`;

function corrupt(machine: string, file: string, why: string): BurrowError {
  return new BurrowError(
    'corrupt-profile',
    `the snapshots of machine "${machine}" (${file}) cannot be read: ${why}. They were left as they are.`,
    `repair the file by hand, or delete the machine with: burrow rm ${machine}`,
  );
}

function readStackFile(machine: string, file: string): LayerStack {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw corrupt(machine, file, e instanceof SyntaxError ? 'not JSON' : String(e));
  }
  const parsed = stackSchema.safeParse(raw);
  if (!parsed.success) throw corrupt(machine, file, 'it is not a snapshot record Burrow wrote');
  try {
    for (const top of [parsed.data.base, ...parsed.data.snapshots.map((s) => s.layer)]) chainOf(parsed.data, top);
  } catch (e) {
    throw corrupt(machine, file, (e as Error).message);
  }
  return parsed.data;
}

/** The machine's stack (empty when it never had a snapshot), after finishing what a killed writer left. */
export function loadStack(machine: string): LayerStack {
  recoverPending(machine);
  const file = stackFile(machine);
  return fs.existsSync(file) ? readStackFile(machine, file) : emptyStack();
}

export function saveStack(machine: string, stack: LayerStack): void {
  fs.mkdirSync(persistentOverlayDir(machine), { recursive: true, mode: 0o700 });
  writeJsonAtomic(stackFile(machine), stack, 0o600);
}

function recoverPending(machine: string): void {
  const file = pendingFile(machine);
  let pending: { owner?: unknown; stack?: unknown };
  try {
    pending = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    fs.rmSync(file, { force: true });
    return;
  }
  const [pid, start] = String(pending.owner).split('.').map(Number);
  if (pid && processStartTime(pid) === start)
    throw new BurrowError(
      'already-running',
      `the snapshots of machine "${machine}" are being changed by another process (pid ${pid})`,
      'wait for it to finish',
    );
  const parsed = stackSchema.safeParse(pending.stack);
  if (parsed.success && !fs.existsSync(upperDir(machine))) saveStack(machine, parsed.data);
  fs.rmSync(file, { force: true });
}

/**
 * Replaces the upper layer and the stack as one step: `moveUpper` renames upper/ away (into a layer, or
 * aside to be removed); the stack written with it takes effect exactly when that rename happened.
 */
export function commitWithUpperMoved(machine: string, stack: LayerStack, moveUpper: () => void): void {
  const upper = upperDir(machine);
  // The rename decides: upper/ must exist before the pending stack does.
  fs.mkdirSync(upper, { recursive: true, mode: 0o755 });
  writeJsonAtomic(pendingFile(machine), { owner: jobTag(), stack }, 0o600);
  try {
    moveUpper();
  } catch (e) {
    fs.rmSync(pendingFile(machine), { force: true });
    throw e;
  }
  saveStack(machine, stack);
  fs.rmSync(pendingFile(machine), { force: true });
}

/** Layers the machine boots from, top first: the lowerdirs between its upper layer and its image. */
export function bootLayers(profile: Pick<MachineProfile, 'name' | 'storage'>): string[] {
  if (profile.storage !== 'persistent') return [];
  const stack = loadStack(profile.name);
  const dirs = chainOf(stack, stack.base)
    .reverse()
    .map((id) => layerDir(profile.name, id));
  const missing = dirs.find((d) => !fs.existsSync(d));
  if (missing) throw corrupt(profile.name, stackFile(profile.name), `its layer ${missing} is missing`);
  return dirs;
}

/** Drops layers nobody reaches and folders under layers/ the stack does not name (left by a killed copy). */
export function removeUnusedLayers(machine: string, stack: LayerStack): LayerStack {
  const { stack: kept, unused } = collectGarbage(stack);
  if (unused.length) saveStack(machine, kept);
  let present: string[] = [];
  try {
    present = fs.readdirSync(layersDir(machine));
  } catch {
    /* no layers yet */
  }
  for (const entry of present) if (!kept.layers[entry]) removeMappedTree(path.join(layersDir(machine), entry));
  return kept;
}

/**
 * `burrow reset`: the machine goes back to its image. Its snapshots stay (they were taken on purpose);
 * without any, the whole overlay folder goes.
 */
export function resetToImage(machine: string): { discarded: boolean } {
  const dir = persistentOverlayDir(machine);
  const stack = loadStack(machine);
  if (!stack.snapshots.length) {
    const discarded = fs.existsSync(dir);
    discardOverlay(dir);
    return { discarded };
  }
  const upper = upperDir(machine);
  const discarded = stack.base !== null || (fs.existsSync(upper) && fs.readdirSync(upper).length > 0);
  const aside = path.join(dir, `.upper${OLD_MARK}${jobTag()}`);
  const job = beginJob();
  job.add({ remove: aside });
  commitWithUpperMoved(machine, resetBase(stack), () => fs.renameSync(upper, aside));
  removeMappedTree(aside);
  job.done();
  removeUnusedLayers(machine, loadStack(machine));
  return { discarded };
}
