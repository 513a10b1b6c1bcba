// Which cgroup presentation a machine gets, and the mounts that build it inside the machine.
//
// Each machine has its own cgroup (`burrow-NAME-ID` under the user's delegated one, or its systemd unit's)
// which carries its limits and accounting, and a `payload` child delegated to the machine's systemd, as
// systemd-nspawn does: only the payload is bound into the machine and is the root of its cgroup namespace,
// so root inside can never raise the limits above it, with or without the host's nsdelegate mount option.
// Commands run from outside (burrow shell) join a `burrow-exec` leaf beside the payload.
//
// - unified: the payload bound read-write at /sys/fs/cgroup, under a private cgroup namespace. Required by
//   systemd 256+ (v1 support is gone in 258).
// - hybrid (the seed's layout, systemd up to 255): tmpfs on /sys/fs/cgroup, the v1 controllers read-only,
//   the machine's `name=systemd` and `unified` payloads writable, then the tmpfs remounted read-only.
import * as path from 'node:path';
import type { CgroupFacts, CgroupPresentation } from './cgroups';
import { machineCgroupName } from './cgroups';
import { BurrowError } from './errors';
import type { PlannedMount } from './launch-plan-types';

export interface CgroupPlan {
  presentation: CgroupPresentation;
  reason: string;
  hostLayout: CgroupFacts['layout'];
  /**
   * The machine's own cgroup directories on the host (limits, accounting), created at launch and removed
   * after, with the payload child that is bound into the machine.
   */
  dirs: MachineCgroupDir[];
  mounts: PlannedMount[];
  /** Appended after every other mount (bwrap applies operations in order). */
  finalMounts: PlannedMount[];
}

export interface MachineCgroupDir {
  hierarchy: 'unified' | 'name=systemd';
  hostDir: string;
  /** `hostDir/payload`: the machine's systemd owns it; PID 1 starts in it. */
  payload: string;
}

/** The child of a machine's cgroup that its systemd gets (the root of its cgroup namespace). */
export const PAYLOAD_CGROUP = 'payload';
/** The leaf beside the payload that commands run from outside join (burrow shell, the window's shells). */
export const EXEC_CGROUP = 'burrow-exec';

const machineDir = (hierarchy: MachineCgroupDir['hierarchy'], hostDir: string): MachineCgroupDir => ({
  hierarchy,
  hostDir,
  payload: path.join(hostDir, PAYLOAD_CGROUP),
});

/** A machine cgroup found on the host (its hierarchy does not matter for killing or removing it). */
export const machineCgroupDir = (hostDir: string): MachineCgroupDir => machineDir('unified', hostDir);

/** systemd 256 dropped the hybrid layout (v1 support is gone in 258). */
export const SYSTEMD_NEEDS_UNIFIED = 256;

export function noDelegationError(facts: CgroupFacts, hierarchy: string): BurrowError {
  const own = hierarchy === 'unified' ? facts.unified?.dir : facts.systemd?.dir;
  return new BurrowError(
    'host-not-ready',
    `no writable cgroup for the machine: your ${hierarchy} cgroup ${own ?? '(none)'} is not delegated to you, and systemd needs a subtree it owns`,
    'start it from a delegated scope: systemd-run --user --scope -p Delegate=yes burrow start NAME (see: burrow doctor)',
  );
}

function choose(
  choice: 'auto' | CgroupPresentation,
  facts: CgroupFacts,
  systemdVersion: number | undefined,
): { presentation: CgroupPresentation; reason: string } {
  const v = systemdVersion ? `systemd ${systemdVersion}` : 'an unknown systemd version';
  if (choice !== 'auto') return { presentation: choice, reason: `set in the machine's profile (guest has ${v}, host is ${facts.layout})` };
  if (facts.layout === 'unified') return { presentation: 'unified', reason: 'the host has only cgroup v2 (unified)' };
  if (systemdVersion !== undefined && systemdVersion >= SYSTEMD_NEEDS_UNIFIED) {
    return { presentation: 'unified', reason: `the guest's ${v} needs cgroup v2 (256 and later dropped the hybrid layout)` };
  }
  if (facts.systemd?.writable)
    return { presentation: 'hybrid', reason: `the host is ${facts.layout} and the guest has ${v}, which boots on the seed's hybrid layout` };
  return { presentation: 'unified', reason: `the host's name=systemd hierarchy is not delegated, its cgroup v2 one is` };
}

/**
 * @param unitDir where the machine runs as a unit of the user's systemd: the unit's cgroup, which systemd
 * makes and delegates (the host is then pure cgroup v2).
 */
export function planCgroups(
  choice: 'auto' | CgroupPresentation,
  facts: CgroupFacts,
  systemdVersion: number | undefined,
  machine: string,
  machineId: string,
  unitDir?: string,
): CgroupPlan {
  if (facts.layout === 'none') {
    throw new BurrowError(
      'host-not-ready',
      'no cgroup file system is mounted under /sys/fs/cgroup',
      'mount cgroup2 at /sys/fs/cgroup (every systemd host does this at boot)',
    );
  }
  const { presentation, reason } = choose(choice, facts, systemdVersion);
  const name = machineCgroupName(machine, machineId);
  const base = { presentation, reason, hostLayout: facts.layout };

  if (presentation === 'unified') {
    if (!facts.unified)
      throw new BurrowError(
        'host-not-ready',
        'this host has no cgroup v2 hierarchy, which the unified presentation needs',
        'choose --cgroups hybrid, or boot the host with cgroup v2',
      );
    if (!unitDir && !facts.unified.writable) throw noDelegationError(facts, 'unified');
    const dir = machineDir('unified', unitDir ?? path.join(facts.unified.dir, name));
    return {
      ...base,
      dirs: [dir],
      mounts: [{ type: 'bind', source: dir.payload, dest: '/sys/fs/cgroup', origin: 'cgroup', note: "the machine's delegated cgroup v2, writable" }],
      finalMounts: [],
    };
  }

  if (systemdVersion !== undefined && systemdVersion >= SYSTEMD_NEEDS_UNIFIED) {
    throw new BurrowError(
      'invalid-input',
      `the guest's systemd ${systemdVersion} cannot boot on the hybrid presentation (256 and later need cgroup v2)`,
      'set cgroups to auto or unified',
    );
  }
  if (!facts.systemd)
    throw new BurrowError('host-not-ready', 'the host has no name=systemd cgroup hierarchy, which the hybrid presentation needs', 'choose --cgroups unified');
  if (!facts.systemd.writable) throw noDelegationError(facts, 'name=systemd');
  const dirs: CgroupPlan['dirs'] = [machineDir('name=systemd', path.join(facts.systemd.dir, name))];
  const mounts: PlannedMount[] = [{ type: 'tmpfs', dest: '/sys/fs/cgroup', origin: 'cgroup', note: 'holds the hierarchies below' }];
  for (const m of facts.mounts) {
    if (m.hierarchy === 'unified' || m.hierarchy === 'name=systemd') continue;
    if (path.dirname(m.mountPoint) !== '/sys/fs/cgroup') continue;
    mounts.push({ type: 'ro-bind', source: m.mountPoint, dest: m.mountPoint, origin: 'cgroup', note: `v1 ${m.hierarchy}, read-only` });
  }
  for (const link of facts.links) {
    mounts.push({ type: 'symlink', target: link.target, dest: `/sys/fs/cgroup/${link.name}`, origin: 'cgroup' });
  }
  mounts.push({
    type: 'bind',
    source: dirs[0]!.payload,
    dest: '/sys/fs/cgroup/systemd',
    origin: 'cgroup',
    note: "the machine's delegated name=systemd, writable",
  });
  if (facts.unified?.writable && facts.layout === 'hybrid') {
    const dir = machineDir('unified', path.join(facts.unified.dir, name));
    dirs.push(dir);
    mounts.push({ type: 'bind', source: dir.payload, dest: '/sys/fs/cgroup/unified', origin: 'cgroup', note: "the machine's delegated cgroup v2, writable" });
  }
  return { ...base, dirs, mounts, finalMounts: [{ type: 'remount-ro', dest: '/sys/fs/cgroup', origin: 'cgroup' }] };
}
