// The wizard's draft: where it starts (an edited machine, an image, a dropped folder, or the newest image
// with a free name), and a copy in the tab's session storage so that a reload on any step finds what was
// typed. The copy is this tab's alone and goes when the machine is created or the wizard cancelled.
import type { ImageListItem } from '../../electron/contract/api';
import { defaultProfile, PROFILE_VERSION, type MachineProfile } from '../../electron/contract/profile';
import { uniqueName } from '../../electron/contract/profile-problems';

const KEY = 'burrow.wizard';

export type Source = 'image' | 'folder';

export interface DraftState {
  draft: MachineProfile;
  source: Source;
  /** Fields the user has changed: their problems show at once; the others' wait for Review. */
  touched: string[];
}

function newMachineId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The image a new machine starts on: the one asked for, else the newest. */
export function defaultImage(images: ImageListItem[], wanted?: string): ImageListItem | undefined {
  if (wanted) return images.find((i) => i.image.name === wanted);
  return [...images].sort((a, b) => b.image.createdAt.localeCompare(a.image.createdAt))[0];
}

/** The change that puts a draft on an image: its folder, kept apart, and its name as the machine's when the name is still the wizard's. */
export function imagePatch(draft: MachineProfile, item: ImageListItem, taken: readonly string[], nameIsOurs: boolean): Partial<MachineProfile> {
  const patch: Partial<MachineProfile> = {
    image: item.image.name,
    rootfs: item.image.rootfs,
    storage: draft.storage === 'direct' ? 'persistent' : draft.storage,
  };
  if (!nameIsOurs) return patch;
  const name = uniqueName(item.image.name, taken);
  return { ...patch, name, hostname: name.replace(/_/g, '-') };
}

export function initialDraft(opts: {
  key: string;
  editing?: MachineProfile;
  image?: string;
  rootfs?: string;
  images: ImageListItem[];
  taken: string[];
}): DraftState {
  const saved = load(opts.key);
  if (saved) return saved;
  if (opts.editing) return { draft: opts.editing, source: opts.editing.image ? 'image' : 'folder', touched: [] };
  const fresh = defaultProfile({ name: '', rootfs: opts.rootfs ?? '', machineId: newMachineId() });
  if (opts.rootfs) return { draft: { ...fresh, hostname: 'machine' }, source: 'folder', touched: ['rootfs'] };
  const image = defaultImage(opts.images, opts.image);
  return { draft: image ? { ...fresh, ...imagePatch(fresh, image, opts.taken, true) } : { ...fresh, hostname: 'machine' }, source: 'image', touched: [] };
}

function hasProfileShape(d: unknown): d is MachineProfile {
  const p = d as Partial<MachineProfile> | null;
  const object = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  return (
    object(p) &&
    p!.version === PROFILE_VERSION &&
    ['name', 'rootfs', 'hostname', 'machineId', 'storage', 'cgroups'].every((k) => typeof (p as Record<string, unknown>)[k] === 'string') &&
    Array.isArray(p!.mounts) &&
    p!.mounts.every(object) &&
    object(p!.network) &&
    Array.isArray(p!.network!.ports) &&
    [p!.limits, p!.capabilities, p!.namespaces, p!.env].every(object)
  );
}

/** The saved draft of this wizard (same key: the same new machine, or the same machine edited), if sound. */
function load(key: string): DraftState | undefined {
  try {
    const raw = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as { key?: unknown; state?: DraftState } | null;
    if (!raw || raw.key !== key || !raw.state) return undefined;
    const { draft, source, touched } = raw.state;
    // A draft may be unfinished or wrong (that is what the wizard is for), but it must have a profile's shape.
    if (!hasProfileShape(draft) || (source !== 'image' && source !== 'folder') || !Array.isArray(touched)) return undefined;
    return { draft, source, touched: touched.filter((t) => typeof t === 'string') };
  } catch {
    return undefined;
  }
}

export function saveDraft(key: string, state: DraftState): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ key, state }));
  } catch {
    /* storage refused: a reload starts afresh */
  }
}

export function forgetDraft(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* nothing saved */
  }
}
