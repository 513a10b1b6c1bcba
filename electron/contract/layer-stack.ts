// The snapshot record of a machine (stack.json): checked on every read, so a layer id can never be a path
// and a label never holds what a terminal would take for a command (engine/layer-stack.ts is the model).
// A plain guard rather than zod: a persistent machine reads it on every start, and the CLI's start loads
// no schema library (electron/cli/startup.test.ts).

export const STACK_VERSION = 1;
export const LAYER_ID_RE = /^l[0-9a-f]{8,32}$/;
export const SNAPSHOT_ID_RE = /^[1-9][0-9]{0,8}$/;
export const LABEL_MAX = 200;
const MAX_SNAPSHOTS = 10_000;

export interface LayerStack {
  version: typeof STACK_VERSION;
  /** The number the next snapshot gets: never reused, so `web@3` always means the same thing or nothing. */
  next: number;
  base: string | null;
  layers: Record<string, { parent: string | null; kind: 'diff' | 'full'; createdAt: string }>;
  snapshots: { id: string; label?: string; createdAt: string; layer: string }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLayerId = (v: unknown): v is string => typeof v === 'string' && LAYER_ID_RE.test(v);
const isTime = (v: unknown): v is string => typeof v === 'string' && v.length <= 64;
const hasOnly = (o: Record<string, unknown>, keys: string[]): boolean => Object.keys(o).every((k) => keys.includes(k));

function isLayer(v: unknown): boolean {
  return (
    isObject(v) &&
    hasOnly(v, ['parent', 'kind', 'createdAt']) &&
    (v.parent === null || isLayerId(v.parent)) &&
    (v.kind === 'diff' || v.kind === 'full') &&
    isTime(v.createdAt)
  );
}

function isSnapshot(v: unknown): boolean {
  if (!isObject(v) || !hasOnly(v, ['id', 'label', 'createdAt', 'layer'])) return false;
  const labelOk = v.label === undefined || (typeof v.label === 'string' && v.label.length <= LABEL_MAX);
  return typeof v.id === 'string' && SNAPSHOT_ID_RE.test(v.id) && labelOk && isTime(v.createdAt) && isLayerId(v.layer);
}

/** stack.json as Burrow writes it, or undefined for anything else. */
export function parseLayerStack(v: unknown): LayerStack | undefined {
  if (!isObject(v) || !hasOnly(v, ['version', 'next', 'base', 'layers', 'snapshots']) || v.version !== STACK_VERSION) return undefined;
  if (!Number.isSafeInteger(v.next) || (v.next as number) < 1 || (v.next as number) > 999_999_999) return undefined;
  if (v.base !== null && !isLayerId(v.base)) return undefined;
  if (!isObject(v.layers) || !Object.entries(v.layers).every(([id, layer]) => isLayerId(id) && isLayer(layer))) return undefined;
  if (!Array.isArray(v.snapshots) || v.snapshots.length > MAX_SNAPSHOTS || !v.snapshots.every(isSnapshot)) return undefined;
  return v as unknown as LayerStack;
}

/** The check with a schema's face (safeParse/parse), for callers written against one. */
export const stackSchema = {
  safeParse: (v: unknown): { success: true; data: LayerStack } | { success: false } => {
    const data = parseLayerStack(v);
    return data ? { success: true, data } : { success: false };
  },
  parse: (v: unknown): LayerStack => {
    const data = parseLayerStack(v);
    if (!data) throw new Error('not a snapshot record (stack.json)');
    return data;
  },
};
