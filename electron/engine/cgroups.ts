// cgroups: what the host offers, which presentation a machine gets, and the machine's own sub-cgroup.
//
// systemd as PID 1 needs a cgroup subtree it owns. We never need root: the user's process already sits in
// a delegated cgroup (systemd's user@.service on desktops, the test harness here), and each machine gets
// a child of it, named `burrow-NAME`, removed when the machine ends.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { shellQuote } from './shell-quote';

export type CgroupLayout = 'unified' | 'hybrid' | 'legacy' | 'none';
export type CgroupPresentation = 'unified' | 'hybrid';

export interface CgroupMount {
  /** `unified` for cgroup2; the v1 hierarchy's options otherwise (`memory`, `cpu,cpuacct`, `name=systemd`). */
  hierarchy: string;
  mountPoint: string;
  /** The mount's root inside the hierarchy (not `/` inside a cgroup namespace). */
  root: string;
}

export interface DelegatedCgroup {
  hierarchy: 'unified' | 'name=systemd';
  /** The process's own cgroup as a host directory. */
  dir: string;
  writable: boolean;
  /** Controllers the parent made available here (cgroup.controllers); v2 only. */
  controllers: string[];
}

export interface CgroupFacts {
  layout: CgroupLayout;
  mounts: CgroupMount[];
  /** Symlinks beside the v1 hierarchies (`cpu -> cpu,cpuacct`), to be reproduced for the guest. */
  links: { name: string; target: string }[];
  unified?: DelegatedCgroup;
  systemd?: DelegatedCgroup;
}

const CGROUP_ROOT = '/sys/fs/cgroup';

/** Parses /proc/self/mountinfo lines of cgroup and cgroup2 mounts. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const [fstype, , superOptions = ''] = line.slice(sep + 3).split(' ');
    const root = unescapeMount(left[3] ?? '/');
    const mountPoint = unescapeMount(left[4] ?? '');
    if (fstype === 'cgroup2') mounts.push({ hierarchy: 'unified', mountPoint, root });
    if (fstype === 'cgroup') {
      const opts = superOptions
        .split(',')
        .filter(
          (o) => !['rw', 'ro', 'relatime', 'noatime', 'nosuid', 'nodev', 'noexec', 'xattr', 'clone_children'].includes(o) && !o.startsWith('release_agent='),
        );
      mounts.push({ hierarchy: opts.join(','), mountPoint, root });
    }
  }
  return mounts;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses /proc/self/cgroup: hierarchy (`unified`, `name=systemd`, `memory`...) to path. */
export function parseProcCgroup(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    map.set(m[1] === '0' && m[2] === '' ? 'unified' : m[2]!, m[3]!);
  }
  return map;
}

export function detectLayout(mounts: CgroupMount[]): CgroupLayout {
  const at = (p: string) => mounts.find((m) => m.mountPoint === p);
  if (at(CGROUP_ROOT)?.hierarchy === 'unified') return 'unified';
  const v1 = mounts.some((m) => m.hierarchy !== 'unified' && m.mountPoint.startsWith(CGROUP_ROOT + '/'));
  if (!v1) return 'none';
  return at(`${CGROUP_ROOT}/unified`) ? 'hybrid' : 'legacy';
}

function delegatedIn(
  mount: CgroupMount | undefined,
  own: string | undefined,
  hierarchy: DelegatedCgroup['hierarchy'],
  uid: number,
): DelegatedCgroup | undefined {
  if (!mount || own === undefined) return undefined;
  const rel = path.posix.relative(mount.root, own);
  if (rel.startsWith('..')) return undefined;
  const dir = path.posix.join(mount.mountPoint, rel);
  let writable = false;
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    fs.accessSync(path.join(dir, 'cgroup.procs'), fs.constants.W_OK);
    writable = uid === 0 || fs.statSync(dir).uid === uid;
  } catch {
    writable = false;
  }
  let controllers: string[] = [];
  if (hierarchy === 'unified') {
    try {
      controllers = fs.readFileSync(path.join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      controllers = [];
    }
  }
  return { hierarchy, dir, writable, controllers };
}

export function probeCgroups(uid: number, procCgroup = '/proc/self/cgroup'): CgroupFacts {
  const mounts = parseCgroupMounts(fs.readFileSync('/proc/self/mountinfo', 'utf8')).filter((m) => m.mountPoint.startsWith(CGROUP_ROOT));
  const own = parseProcCgroup(fs.readFileSync(procCgroup, 'utf8'));
  const layout = detectLayout(mounts);
  const links: CgroupFacts['links'] = [];
  if (layout === 'hybrid' || layout === 'legacy') {
    for (const entry of safeReaddir(CGROUP_ROOT)) {
      const full = path.join(CGROUP_ROOT, entry);
      try {
        if (fs.lstatSync(full).isSymbolicLink()) links.push({ name: entry, target: fs.readlinkSync(full) });
      } catch {
        /* raced with a change: skip */
      }
    }
  }
  const unifiedMount = mounts.find((m) => m.hierarchy === 'unified');
  const systemdMount = mounts.find((m) => m.hierarchy === 'name=systemd');
  return {
    layout,
    mounts,
    links,
    unified: delegatedIn(unifiedMount, own.get('unified'), 'unified', uid),
    systemd: delegatedIn(systemdMount, own.get('name=systemd'), 'name=systemd', uid),
  };
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The directory name of a machine's cgroup under the delegated one. The machine id keeps it apart from
 * a machine of the same name under another configuration (another XDG_CONFIG_HOME, a test sandbox):
 * starting one must never clean up the other's cgroup.
 */
export const machineCgroupName = (machine: string, machineId: string): string => `burrow-${machine}-${machineId.slice(0, 8)}`;

/** Processes in a cgroup subtree (for stale-state detection and cleanup). */
export function cgroupPids(dir: string): number[] {
  const pids: number[] = [];
  const walk = (d: string): void => {
    try {
      for (const line of fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n')) {
        const pid = Number(line);
        if (pid > 0) pids.push(pid);
      }
    } catch {
      return;
    }
    for (const entry of safeReaddir(d)) {
      const child = path.join(d, entry);
      try {
        if (fs.statSync(child).isDirectory()) walk(child);
      } catch {
        /* gone */
      }
    }
  };
  walk(dir);
  return pids;
}

/** Removes a cgroup subtree, children first. Returns false when something in it is still alive. */
export function removeCgroupTree(dir: string): boolean {
  if (!fs.existsSync(dir)) return true;
  let ok = true;
  for (const entry of safeReaddir(dir)) {
    const child = path.join(dir, entry);
    try {
      if (fs.statSync(child).isDirectory()) ok = removeCgroupTree(child) && ok;
    } catch {
      /* gone */
    }
  }
  try {
    fs.rmdirSync(dir);
  } catch {
    ok = false;
  }
  return ok;
}

/** Kills every process in a cgroup subtree (cgroup.kill where v2 offers it, SIGKILL to each pid otherwise). */
export function killCgroupTree(dir: string): void {
  try {
    fs.writeFileSync(path.join(dir, 'cgroup.kill'), '1');
    return;
  } catch {
    /* v1, or a kernel before 5.14 */
  }
  for (const pid of cgroupPids(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Freezes or thaws a cgroup v2 directory (cgroup.freeze); throws where the kernel refuses (v1, a cgroup gone). */
export function writeCgroupFreeze(dir: string, frozen: boolean): void {
  fs.writeFileSync(path.join(dir, 'cgroup.freeze'), frozen ? '1' : '0');
}

/** Moves a process into a cgroup directory. */
export function moveToCgroup(dir: string, pid: number): void {
  fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
}

/**
 * The /bin/sh step that moves the shell itself into each cgroup directory (made if missing), so that what
 * it execs next starts there. Strict under `set -e` (a launch must not boot outside its cgroup); best
 * effort for commands run in a machine that may be stopping meanwhile.
 */
export function joinCgroupsShell(dirs: string[], bestEffort = false): string {
  if (!dirs.length) return '';
  const quiet = bestEffort ? ' 2>/dev/null || :' : '';
  return `for d in ${dirs.map(shellQuote).join(' ')}; do { mkdir -p "$d" && echo $$ > "$d/cgroup.procs"; }${quiet}; done; `;
}

/**
 * Every process of a machine (PID 1's tree and commands run in it) is a likelier OOM victim than its
 * supervisor: where the machine's limit is its unit's MemoryMax=, the supervisor shares that cgroup, and
 * the kernel must kill inside the machine, never the supervisor that holds it. Raising one's own
 * oom_score_adj needs no privilege; nothing inside can lower it again (that needs CAP_SYS_RESOURCE on the host).
 */
export const MACHINE_OOM_SCORE_ADJ = 500;
export const raiseOomScoreShell = (): string => `echo ${MACHINE_OOM_SCORE_ADJ} > /proc/self/oom_score_adj 2>/dev/null || :; `;
