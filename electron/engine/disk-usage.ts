// `burrow df`: what uses the disk, in bytes on disk, and what each removal would give back: images
// (shared by the machines made from them), each machine's own changes and layers, each snapshot's own
// bytes. Everything is measured in one `du` run as root of the user's mapping, so a file is counted once.
// On a copy-on-write file system (btrfs, XFS) clones share extents that du cannot see: the report says so.
import * as fs from 'node:fs';
import type { DiskUsageReport, ImageDiskUse, MachineDiskUse } from '../contract/lifecycle';
import { listImages, machinesUsing } from './image-store';
import { stackUsage } from './layer-stack';
import { ephemeralOverlayDir, persistentOverlayDir } from './overlay';
import { dataDir } from './paths';
import { listProfiles } from './profiles';
import { layerDir, loadStack, upperDir } from './snapshot-store';
import { diskUsage, offersReflinks } from './tree-copy';

export type { DiskUsageReport } from '../contract/lifecycle';

const inDataDir = (p: string): boolean => p.startsWith(dataDir() + '/');

export function diskUsageReport(): DiskUsageReport {
  const images = listImages();
  const { profiles } = listProfiles();
  const stacks = new Map(profiles.map((p) => [p.name, safeStack(p.name)]));
  // Images first, so a file hard-linked between an image and a machine counts for the image.
  const dirs: string[] = images.map((i) => i.rootfs);
  for (const p of profiles) {
    dirs.push(p.storage === 'ephemeral' ? `${ephemeralOverlayDir(p.name)}/upper` : upperDir(p.name));
    for (const id of Object.keys(stacks.get(p.name)?.layers ?? {})) dirs.push(layerDir(p.name, id));
    if (!images.some((i) => i.rootfs === p.rootfs)) dirs.push(p.rootfs);
  }
  const sizes = diskUsage([...new Set(dirs)]);
  const size = (d: string) => sizes.get(d) ?? 0;

  const machines: MachineDiskUse[] = profiles.map((p) => {
    const stack = stacks.get(p.name);
    const layerSizes = Object.fromEntries(Object.keys(stack?.layers ?? {}).map((id) => [id, size(layerDir(p.name, id))]));
    const usage = stack ? stackUsage(stack, layerSizes) : { snapshots: [], baseOwnBytes: 0, layersBytes: 0 };
    const upperBytes = size(p.storage === 'ephemeral' ? `${ephemeralOverlayDir(p.name)}/upper` : upperDir(p.name));
    const ownFolder = p.storage === 'direct' && inDataDir(p.rootfs) ? size(p.rootfs) : 0;
    const ownBytes = upperBytes + usage.layersBytes + ownFolder;
    return {
      name: p.name,
      storage: p.storage,
      ...(p.image ? { image: p.image } : {}),
      sharedBytes: ownFolder ? 0 : size(p.rootfs),
      ownBytes,
      upperBytes,
      resetFrees: p.storage === 'persistent' ? upperBytes + usage.baseOwnBytes : null,
      rmFrees: ownBytes,
      snapshots: (stack?.snapshots ?? []).map((s, i) => ({
        id: s.id,
        ...(s.label ? { label: s.label } : {}),
        createdAt: s.createdAt,
        ownBytes: usage.snapshots[i]!.ownBytes,
        totalBytes: usage.snapshots[i]!.totalBytes,
      })),
    };
  });
  const imageUsage: ImageDiskUse[] = images.map((i) => {
    const users = machinesUsing(i);
    return { name: i.name, bytes: size(i.rootfs), inPlace: i.inPlace, machines: users, rmFrees: users.length ? null : i.inPlace ? 0 : size(i.rootfs) };
  });
  const totalBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
  fs.mkdirSync(dataDir(), { recursive: true, mode: 0o700 });
  return { images: imageUsage, machines, totalBytes, copyOnWrite: offersReflinks(dataDir()) };
}

function safeStack(name: string) {
  try {
    return fs.existsSync(persistentOverlayDir(name)) ? loadStack(name) : undefined;
  } catch {
    return undefined; // a corrupt stack is reported by the commands that use it
  }
}
