// What a destructive action takes away and what it keeps, said before it is done: the window's in-app
// confirmations name it (a figure from disk use where one is known). Runtime-free.
import { formatBytes } from './format-units';
import type { MachineDiskUse } from './lifecycle';
import type { MachineProfile } from './profile';

export type Destructive = 'kill' | 'delete' | 'reset';

export interface Consequence {
  /** The question, naming the machine. */
  title: string;
  lost: string[];
  kept: string[];
  /** The button's words. */
  action: string;
}

const bytes = (n: number | null | undefined) => (n ? ` (${formatBytes(n)})` : '');
const snapshotsOf = (d?: MachineDiskUse) => (d?.snapshots.length ? `its ${d.snapshots.length} snapshot${d.snapshots.length > 1 ? 's' : ''}` : undefined);

/** What killing, deleting or resetting `p` loses and keeps. `disk` is its disk use where the window has it. */
export function consequenceOf(what: Destructive, p: Pick<MachineProfile, 'name' | 'image' | 'rootfs' | 'storage'>, disk?: MachineDiskUse): Consequence {
  const source = p.image ? `the image ${p.image} (other machines can use it)` : `the folder ${p.rootfs}`;
  const ownsChanges = p.storage !== 'direct';
  const some = <T>(...items: (T | undefined | false)[]) => items.filter((i): i is T => !!i);
  switch (what) {
    case 'kill':
      return {
        title: `Kill ${p.name}?`,
        lost: [
          'every process in it ends at once, without a clean shutdown: what its programs had not yet written to disk',
          ...(p.storage === 'ephemeral' ? ['everything it changed since it started (it forgets changes at stop)'] : []),
        ],
        kept: some(p.storage !== 'ephemeral' && 'its files as they are on disk', 'its settings'),
        action: 'Kill',
      };
    case 'delete':
      return {
        title: `Delete ${p.name}?`,
        lost: some(
          'its settings',
          ownsChanges && `everything it changed on top of its ${p.image ? 'image' : 'folder'}${bytes(disk?.ownBytes)}`,
          snapshotsOf(disk),
        ),
        kept: [p.storage === 'direct' && !p.image ? `the folder ${p.rootfs}, with everything the machine wrote into it` : source],
        action: 'Delete',
      };
    case 'reset':
      return {
        title: `Reset ${p.name} to its image?`,
        lost: [`everything it changed since it was made or last restored${bytes(disk?.resetFrees)}: files, installed packages, its journal`],
        kept: some('its settings', snapshotsOf(disk), source),
        action: 'Reset',
      };
  }
}
