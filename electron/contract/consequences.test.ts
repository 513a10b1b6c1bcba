// What a destructive action loses and keeps, said before it is done.
import { describe, expect, it } from 'vitest';
import { consequenceOf } from './consequences';
import type { MachineDiskUse } from './lifecycle';

const onImage = { name: 'web', image: 'deb12', rootfs: '/data/images/deb12/rootfs', storage: 'persistent' as const };
const disk: MachineDiskUse = {
  name: 'web',
  storage: 'persistent',
  image: 'deb12',
  sharedBytes: 200 * 1024 ** 2,
  ownBytes: 12 * 1024 ** 2,
  upperBytes: 12 * 1024 ** 2,
  resetFrees: 3 * 1024 ** 2,
  rmFrees: 12 * 1024 ** 2,
  snapshots: [{ id: '1', createdAt: '2026-11-29T00:00:00Z', ownBytes: 9 * 1024 ** 2, totalBytes: 9 * 1024 ** 2 }],
};

describe('consequences', () => {
  it('a delete loses the settings, the changes with their size and the snapshots, and keeps the image', () => {
    expect(consequenceOf('delete', onImage, disk)).toEqual({
      title: 'Delete web?',
      lost: ['its settings', 'everything it changed on top of its image (12.0 MiB)', 'its 1 snapshot'],
      kept: ['the image deb12 (other machines can use it)'],
      action: 'Delete',
    });
  });

  it('a machine that writes into its folder keeps the folder, with what it wrote', () => {
    const direct = consequenceOf('delete', { name: 'dev', rootfs: '/home/u/rootfs', storage: 'direct' });
    expect(direct.lost).toEqual(['its settings']);
    expect(direct.kept).toEqual(['the folder /home/u/rootfs, with everything the machine wrote into it']);
  });

  it('a reset discards the changes since the last restore and keeps snapshots, settings and image', () => {
    const c = consequenceOf('reset', onImage, disk);
    expect(c.lost).toEqual(['everything it changed since it was made or last restored (3.0 MiB): files, installed packages, its journal']);
    expect(c.kept).toEqual(['its settings', 'its 1 snapshot', 'the image deb12 (other machines can use it)']);
  });

  it('a kill loses what was not written to disk, and an ephemeral machine all its changes', () => {
    expect(consequenceOf('kill', onImage).lost).toEqual([
      'every process in it ends at once, without a clean shutdown: what its programs had not yet written to disk',
    ]);
    const eph = consequenceOf('kill', { ...onImage, storage: 'ephemeral' });
    expect(eph.lost[1]).toBe('everything it changed since it started (it forgets changes at stop)');
    expect(eph.kept).toEqual(['its settings']);
  });
});
