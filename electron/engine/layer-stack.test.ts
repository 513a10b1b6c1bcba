import { describe, expect, it } from 'vitest';
import {
  addSnapshot,
  branchStack,
  chainOf,
  collectGarbage,
  emptyStack,
  MAX_DEPTH,
  planSquash,
  removeSnapshot,
  resetBase,
  restoreTo,
  stackSchema,
  stackUsage,
  type LayerStack,
} from './layer-stack';

const at = '2026-11-29T00:00:00.000Z';
let counter = 0;
const id = () => `l${(++counter).toString(16).padStart(8, '0')}`;

/** A machine that took `n` snapshots while stopped: each froze its upper layer on top of the last. */
function history(n: number): { stack: LayerStack; layers: string[] } {
  let stack = emptyStack();
  const layers: string[] = [];
  for (let i = 0; i < n; i++) {
    const layer = id();
    layers.push(layer);
    stack = addSnapshot(stack, layer, { kind: 'diff', createdAt: at, rebase: true, label: `s${i + 1}` }).stack;
  }
  return { stack, layers };
}

describe('snapshots as layers', () => {
  it('stacks each snapshot of a stopped machine on the one before, numbered from 1', () => {
    const { stack, layers } = history(3);
    expect(stack.snapshots.map((s) => s.id)).toEqual(['1', '2', '3']);
    expect(stack.base).toBe(layers[2]);
    expect(chainOf(stack, stack.base)).toEqual(layers);
    expect(stackSchema.parse(stack)).toEqual(stack);
  });

  it('keeps a running machine on its upper layer: the copy becomes a sibling, the machine does not move', () => {
    const { stack, layers } = history(1);
    const copy = id();
    const { stack: next, snapshot } = addSnapshot(stack, copy, { kind: 'diff', createdAt: at, rebase: false });
    expect(next.base).toBe(layers[0]);
    expect(chainOf(next, snapshot.layer)).toEqual([layers[0], copy]);
  });

  it('restores to an old snapshot and branches when the machine moves on; every snapshot stays valid', () => {
    const { stack, layers } = history(3);
    const back = restoreTo(stack, stack.snapshots[0]!);
    expect(chainOf(back, back.base)).toEqual([layers[0]]);
    const branch = id();
    const { stack: moved } = addSnapshot(back, branch, { kind: 'diff', createdAt: at, rebase: true });
    expect(chainOf(moved, moved.base)).toEqual([layers[0], branch]);
    expect(chainOf(moved, moved.snapshots[2]!.layer)).toEqual(layers);
    expect(collectGarbage(moved).unused).toEqual([]);
  });

  it('never reuses a snapshot number, even after the last one was removed', () => {
    const { stack } = history(2);
    const removed = removeSnapshot(stack, '2');
    expect(addSnapshot(removed, id(), { kind: 'diff', createdAt: at, rebase: true }).snapshot.id).toBe('3');
  });

  it('collects a layer once nothing reaches it, and keeps what the machine or another snapshot needs', () => {
    const { stack, layers } = history(3);
    // The machine sits on snapshot 3: removing 2 keeps its layer (3 and the machine are built on it).
    expect(collectGarbage(removeSnapshot(stack, '2')).unused).toEqual([]);
    // Back at snapshot 1 with 2 and 3 gone: their layers go.
    const back = removeSnapshot(removeSnapshot(restoreTo(stack, stack.snapshots[0]!), '2'), '3');
    const { stack: kept, unused } = collectGarbage(back);
    expect(unused.sort()).toEqual([layers[1], layers[2]].sort());
    expect(Object.keys(kept.layers)).toEqual([layers[0]]);
  });

  it('resets to the image but keeps the snapshots taken on purpose', () => {
    const { stack, layers } = history(2);
    const reset = resetBase(stack);
    expect(reset.base).toBeNull();
    expect(collectGarbage(reset).unused).toEqual([]);
    expect(chainOf(reset, reset.snapshots[1]!.layer)).toEqual(layers);
  });

  it('gives a clone or a branch only the layers under its top, and no snapshots', () => {
    const { stack, layers } = history(3);
    const branch = branchStack(stack, stack.snapshots[1]!.layer);
    expect(branch).toMatchObject({ base: layers[1], snapshots: [], next: 1 });
    expect(Object.keys(branch.layers).sort()).toEqual([layers[0], layers[1]].sort());
    expect(branchStack(emptyStack(), null).layers).toEqual({});
  });

  it('restoring a full copy (a direct machine) leaves no base to stack on', () => {
    const full = id();
    const { stack, snapshot } = addSnapshot(emptyStack(), full, { kind: 'full', createdAt: at, rebase: false });
    expect(stack.layers[full]!.parent).toBeNull();
    expect(restoreTo(stack, snapshot).base).toBeNull();
  });
});

describe('depth bound', () => {
  it('leaves a chain within the bound alone', () => {
    const { stack } = history(MAX_DEPTH);
    expect(planSquash(stack, stack.base, id).steps).toEqual([]);
  });

  it('merges the two bottom layers past the bound and re-parents the third onto the merge', () => {
    const { stack, layers } = history(MAX_DEPTH + 1);
    const { stack: next, steps } = planSquash(stack, stack.base, id);
    expect(steps).toHaveLength(1);
    const [step] = steps;
    expect(step).toMatchObject({ lower: layers[0], upper: layers[1], child: layers[2] });
    expect(chainOf(next, next.base)).toEqual([step!.into, ...layers.slice(2)]);
    expect(chainOf(next, next.base)).toHaveLength(MAX_DEPTH);
    // Snapshots 1 and 2 still boot exactly what they were.
    expect(chainOf(next, next.snapshots[0]!.layer)).toEqual([layers[0]]);
    expect(chainOf(next, next.snapshots[1]!.layer)).toEqual([layers[0], layers[1]]);
  });

  it('frees the merged layers once no snapshot names them', () => {
    const { stack, layers } = history(MAX_DEPTH + 1);
    const { stack: next } = planSquash(removeSnapshot(removeSnapshot(stack, '1'), '2'), stack.base, id);
    expect(collectGarbage(next).unused.sort()).toEqual([layers[0], layers[1]].sort());
  });

  it('squashes as often as needed with a smaller bound', () => {
    const { stack } = history(6);
    const { stack: next, steps } = planSquash(stack, stack.base, id, 3);
    expect(steps).toHaveLength(3);
    expect(chainOf(next, next.base)).toHaveLength(3);
    expect(steps[1]!.lower).toBe(steps[0]!.into);
  });
});

describe('size accounting', () => {
  it("counts a layer as a snapshot's own only when nothing else needs it", () => {
    const { stack, layers } = history(2);
    const back = restoreTo(stack, stack.snapshots[0]!);
    const sizes = { [layers[0]!]: 100, [layers[1]!]: 30 };
    const usage = stackUsage(back, sizes);
    // The machine sits on snapshot 1: its layer is shared; snapshot 2's top layer is its own.
    expect(usage.snapshots).toEqual([
      { id: '1', ownBytes: 0, totalBytes: 100 },
      { id: '2', ownBytes: 30, totalBytes: 130 },
    ]);
    expect(usage.baseOwnBytes).toBe(0);
    expect(usage.layersBytes).toBe(130);
    // Reset to the image: snapshot 1 alone holds its layer now.
    expect(stackUsage(resetBase(back), sizes).snapshots[0]!.ownBytes).toBe(0);
    expect(stackUsage(removeSnapshot(resetBase(back), '2'), sizes).snapshots[0]!.ownBytes).toBe(100);
  });
});

describe('a stack read from disk', () => {
  it('is refused when it is malformed or names layers that cannot be folder names', () => {
    expect(stackSchema.safeParse({ ...emptyStack(), base: '../../etc' }).success).toBe(false);
    expect(stackSchema.safeParse({ ...emptyStack(), layers: { 'l0000000a/..': { parent: null, kind: 'diff', createdAt: at } } }).success).toBe(false);
    expect(stackSchema.safeParse({ ...emptyStack(), snapshots: [{ id: '0', createdAt: at, layer: 'l0000000a' }] }).success).toBe(false);
    expect(stackSchema.safeParse({ ...emptyStack(), snapshots: [{ id: '1', label: 'x'.repeat(201), createdAt: at, layer: 'l0000000a' }] }).success).toBe(false);
  });

  it('fails on a cycle or a missing parent instead of looping', () => {
    const cyclic: LayerStack = {
      ...emptyStack(),
      base: 'l0000000a',
      layers: { l0000000a: { parent: 'l0000000b', kind: 'diff', createdAt: at }, l0000000b: { parent: 'l0000000a', kind: 'diff', createdAt: at } },
    };
    expect(() => chainOf(cyclic, cyclic.base)).toThrow(/its own ancestor/);
    const dangling: LayerStack = { ...emptyStack(), base: 'l0000000a', layers: { l0000000a: { parent: 'l0000000b', kind: 'diff', createdAt: at } } };
    expect(() => chainOf(dangling, dangling.base)).toThrow(/missing/);
  });
});
