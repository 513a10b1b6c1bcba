// What an image is and whether it can boot here, in words: shown by `burrow image inspect` and the window.
import type { ImageReportView } from '../contract/api';
import { SYSTEMD_NEEDS_UNIFIED } from './cgroup-plan';
import { BurrowError } from './errors';
import { probeHost } from './host-probe';
import { machinesUsing, type ImageRecord } from './image-store';
import { inspectRootfs } from './rootfs';
import { layoutIdMap } from './share-user';

export type ImageReport = ImageReportView;

export function inspectImage(image: ImageRecord): ImageReport {
  const host = probeHost();
  const { map, layout } = layoutIdMap(image.rootfs, host, image.user);
  let info;
  try {
    info = inspectRootfs(image.rootfs, map);
  } catch (e) {
    throw new BurrowError('rootfs-invalid', `image "${image.name}" cannot be read at ${image.rootfs}: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  let fix: string | undefined;
  if (!info.init) {
    problems.push('no init: neither /usr/lib/systemd/systemd nor /sbin/init exists');
    fix = 'rebuild the image with systemd and systemd-sysv (burrow image create NAME --debian SUITE)';
  }
  if (info.ownership.length) {
    problems.push(...info.ownership);
    fix ??=
      image.source.path && image.source.kind !== 'folder'
        ? `re-import it from ${image.source.path}: burrow image rm ${image.name} && burrow image import ${image.name} ${image.source.path}`
        : 're-import it from its tarball (burrow image import NAME FILE), which unpacks it inside your id mapping';
  }
  const v = info.systemdVersion;
  const cgroups =
    v === undefined
      ? 'unknown systemd version: Burrow chooses by the host'
      : v >= SYSTEMD_NEEDS_UNIFIED
        ? `systemd ${v} needs the unified cgroup presentation (cgroup v2), which Burrow gives it`
        : `systemd ${v} boots on the hybrid or the unified presentation`;
  const facts: [string, string][] = [
    ['distribution', info.distro ?? 'unknown (no /etc/os-release)'],
    ['init', info.init?.join(' ') ?? 'none'],
    ['systemd', v ? String(v) : 'not found'],
    ['cgroups', cgroups],
    [
      'owners',
      info.ownership.length
        ? 'inconsistent with your id mapping'
        : map.mode === 'auto'
          ? 'consistent with your subordinate-id mapping'
          : 'owned by you (single-uid mapping)',
    ],
    [
      'you inside',
      layout === 'user' && map.user
        ? `uid ${map.user.uid} (root's files are subordinate id ${map.uidLines[0]!.outside}, not yours)`
        : "root (made before shared folders: root's files are yours)",
    ],
    ['rootfs', image.rootfs + (image.inPlace ? ' (used in place)' : '')],
    ['source', `${image.source.kind}${image.source.suite ? ` ${image.source.suite}` : ''}${image.source.path ? ` ${image.source.path}` : ''}`],
    ['created', image.createdAt],
  ];
  const machines = machinesUsing(image);
  facts.push(['machines', machines.join(', ') || 'none']);
  return { name: image.name, verdict: problems.length ? 'problem' : 'ok', facts, problems, fix, machines };
}
