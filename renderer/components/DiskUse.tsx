import { useEffect } from 'react';
import { formatBytes } from '../../electron/contract/format-units';
import { refreshDisk, useLifecycle } from '../state/lifecycle';

/** Measures again whenever `key` changes (machines added, started, stopped; images made or removed). */
export function useDiskRefresh(key: string): void {
  useEffect(() => void refreshDisk(), [key]);
}

/** What a machine owns on disk (its changes, layers and snapshots), with what it shares in the tooltip. */
export function MachineDiskUse({ name }: { name: string }) {
  const m = useLifecycle((s) => s.disk?.machines.find((x) => x.name === name));
  if (!m) return null;
  const shared = !m.sharedBytes
    ? ''
    : m.storage === 'direct'
      ? `; it writes into its folder (${formatBytes(m.sharedBytes)}), which deleting the machine keeps`
      : `; it reads ${formatBytes(m.sharedBytes)}${m.image ? ` of image ${m.image}` : ''} shared with others`;
  const snaps = m.snapshots.length ? `, ${m.snapshots.length} snapshot${m.snapshots.length > 1 ? 's' : ''}` : '';
  return (
    <span
      className="disk"
      title={`${formatBytes(m.ownBytes)} of its own (changes${snaps})${shared}${m.resetFrees !== null ? `; Reset frees ${formatBytes(m.resetFrees)}` : ''}`}
    >
      {m.storage === 'direct' && !m.ownBytes && m.sharedBytes ? `folder ${formatBytes(m.sharedBytes)}` : formatBytes(m.ownBytes)}
    </span>
  );
}

/** An image's size, and what deleting it would free. */
export function ImageDiskUse({ name }: { name: string }) {
  const i = useLifecycle((s) => s.disk?.images.find((x) => x.name === name));
  if (!i) return null;
  return (
    <span
      className="disk"
      title={
        i.inPlace
          ? 'used in place: deleting the image keeps its folder'
          : i.rmFrees === null
            ? 'in use: delete its machines first to free it'
            : `deleting it frees ${formatBytes(i.rmFrees)}`
      }
    >
      {formatBytes(i.bytes)}
    </span>
  );
}
