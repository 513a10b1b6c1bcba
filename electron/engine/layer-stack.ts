// Snapshots as frozen overlay layers: the pure model, no I/O (snapshot-store.ts reads and writes it).
//
// A persistent machine boots `upper` over a stack of read-only layers over its image. Taking a snapshot of
// a stopped machine renames its upper layer into a new read-only layer (no copy: constant time whatever the
// size) and starts an empty upper on top. Layers form a tree by `parent`: a snapshot names its top layer,
// the machine's `base` names the layer its upper sits on, so restoring an old snapshot and moving on makes a
// branch, and every snapshot stays valid. A layer nobody reaches (from `base` or a snapshot) is garbage.
// overlayfs reads all lower folders from one option page, so a chain longer than MAX_DEPTH is squashed:
// its two bottom layers are merged into one (see layer-merge.ts) and the layer above is re-parented.
//
// A direct machine writes into its own folder: its snapshots are full copies (kind `full`, no parent).
import { STACK_VERSION, type LayerStack } from '../contract/layer-stack';

export { LABEL_MAX, LAYER_ID_RE, SNAPSHOT_ID_RE, STACK_VERSION, stackSchema, type LayerStack } from '../contract/layer-stack';
/** Most frozen layers under a machine's upper layer; past it the bottom two are merged. */
export const MAX_DEPTH = 16;

export type SnapshotEntry = LayerStack['snapshots'][number];

export const emptyStack = (): LayerStack => ({ version: STACK_VERSION, next: 1, base: null, layers: {}, snapshots: [] });

/** The layers under `top`, bottom first (what overlayfs gets as lowerdir, reversed). Throws on a cycle or a missing layer. */
export function chainOf(stack: LayerStack, top: string | null): string[] {
  const chain: string[] = [];
  for (let id = top; id !== null; id = stack.layers[id]!.parent) {
    if (!stack.layers[id]) throw new Error(`layer ${id} is missing from the stack`);
    if (chain.includes(id)) throw new Error(`layer ${id} is its own ancestor`);
    chain.unshift(id);
  }
  return chain;
}

/** Every layer some snapshot or the machine itself still boots from. */
export function reachableLayers(stack: LayerStack): Set<string> {
  const keep = new Set<string>();
  for (const top of [stack.base, ...stack.snapshots.map((s) => s.layer)]) for (const id of chainOf(stack, top)) keep.add(id);
  return keep;
}

/** Drops layers nobody reaches; returns the new stack and the layers whose folders can go. */
export function collectGarbage(stack: LayerStack): { stack: LayerStack; unused: string[] } {
  const keep = reachableLayers(stack);
  const unused = Object.keys(stack.layers).filter((id) => !keep.has(id));
  const layers = Object.fromEntries(Object.entries(stack.layers).filter(([id]) => keep.has(id)));
  return { stack: { ...stack, layers }, unused };
}

export function findSnapshot(stack: LayerStack, id: string): SnapshotEntry | undefined {
  return stack.snapshots.find((s) => s.id === id);
}

/**
 * Records a snapshot whose top layer is `layer`, made from the machine's current state. `rebase`: the upper
 * layer itself became that layer (a stopped machine), so the machine now sits on it with an empty upper.
 */
export function addSnapshot(
  stack: LayerStack,
  layer: string,
  opts: { kind: 'diff' | 'full'; label?: string; createdAt: string; rebase: boolean },
): { stack: LayerStack; snapshot: SnapshotEntry } {
  const snapshot: SnapshotEntry = { id: String(stack.next), createdAt: opts.createdAt, layer, ...(opts.label ? { label: opts.label } : {}) };
  const parent = opts.kind === 'full' ? null : stack.base;
  return {
    snapshot,
    stack: {
      ...stack,
      next: stack.next + 1,
      base: opts.rebase ? layer : stack.base,
      layers: { ...stack.layers, [layer]: { parent, kind: opts.kind, createdAt: opts.createdAt } },
      snapshots: [...stack.snapshots, snapshot],
    },
  };
}

/** The machine goes back to a snapshot: its upper layer starts empty on the snapshot's layer. */
export function restoreTo(stack: LayerStack, snapshot: SnapshotEntry): LayerStack {
  return { ...stack, base: stack.layers[snapshot.layer]!.kind === 'full' ? null : snapshot.layer };
}

export function removeSnapshot(stack: LayerStack, id: string): LayerStack {
  return { ...stack, snapshots: stack.snapshots.filter((s) => s.id !== id) };
}

/** Back to the image: the machine's own changes go, its snapshots stay. */
export function resetBase(stack: LayerStack): LayerStack {
  return { ...stack, base: null };
}

export interface SquashStep {
  /** Merge `upper` onto a copy of `lower` into the new layer `into`. */
  lower: string;
  upper: string;
  into: string;
  /** The layer re-parented onto `into` (it sat on `upper`). */
  child: string;
}

/**
 * The merges that bring the chain under `top` to MAX_DEPTH layers: each merges the two bottom layers into a
 * new one and re-parents the third onto it. The old layers stay while a snapshot still names them.
 */
export function planSquash(stack: LayerStack, top: string | null, newId: () => string, maxDepth = MAX_DEPTH): { stack: LayerStack; steps: SquashStep[] } {
  let next = stack;
  const steps: SquashStep[] = [];
  for (let chain = chainOf(next, top); chain.length > maxDepth; chain = chainOf(next, top)) {
    const [lower, upper, child] = chain as [string, string, string];
    const into = newId();
    steps.push({ lower, upper, into, child });
    next = {
      ...next,
      layers: {
        ...next.layers,
        [into]: { parent: null, kind: 'diff', createdAt: next.layers[upper]!.createdAt },
        [child]: { ...next.layers[child]!, parent: into },
      },
    };
  }
  return { stack: next, steps };
}

export interface LayerSizes {
  [layer: string]: number;
}

export interface StackUsage {
  /** Bytes only this snapshot holds: what `snapshot rm` frees. */
  snapshots: { id: string; ownBytes: number; totalBytes: number }[];
  /** Bytes of layers the machine boots from that no snapshot holds (with its upper layer: what `reset` frees). */
  baseOwnBytes: number;
  /** Every layer's bytes, counted once. */
  layersBytes: number;
}

/** Who holds which layer, in bytes: a layer held by one snapshot alone is that snapshot's own. */
export function stackUsage(stack: LayerStack, sizes: LayerSizes): StackUsage {
  const holders = new Map<string, Set<string>>();
  const hold = (who: string, top: string | null) => {
    for (const id of chainOf(stack, top)) (holders.get(id) ?? holders.set(id, new Set()).get(id)!).add(who);
  };
  hold('@base', stack.base);
  for (const s of stack.snapshots) hold(s.id, s.layer);
  const size = (id: string) => sizes[id] ?? 0;
  const ownOf = (who: string) => [...holders].filter(([, h]) => h.size === 1 && h.has(who)).reduce((sum, [id]) => sum + size(id), 0);
  return {
    snapshots: stack.snapshots.map((s) => ({ id: s.id, ownBytes: ownOf(s.id), totalBytes: chainOf(stack, s.layer).reduce((sum, id) => sum + size(id), 0) })),
    baseOwnBytes: ownOf('@base'),
    layersBytes: Object.keys(stack.layers).reduce((sum, id) => sum + size(id), 0),
  };
}

/** The stack a new machine gets from the layers under `top` (a clone or a branch): no snapshots of its own. */
export function branchStack(stack: LayerStack, top: string | null): LayerStack {
  const chain = chainOf(stack, top);
  return { version: STACK_VERSION, next: 1, base: top, layers: Object.fromEntries(chain.map((id) => [id, stack.layers[id]!])), snapshots: [] };
}
