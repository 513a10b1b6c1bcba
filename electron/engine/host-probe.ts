// Host probe: the facts about this machine that decide whether and how a machine can boot.
// Cheap (one `bwrap --version`), so it runs before every start; doctor turns it into advice.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { probeCgroups, type CgroupFacts } from './cgroups';
import { readSubidRange, type IdRange } from './idmap';
import { probeOnline } from './host-routes';
import type { NetworkTools } from './network-plan';
import { probeUserManager, type UserManagerProbe } from './user-manager';
import { which } from './which';

export interface ToolFact {
  path: string;
  setuidRoot: boolean;
}

export interface HostFacts {
  uid: number;
  gid: number;
  user: string;
  /** Your home folder ($HOME, as os.homedir() gives it): binding it or what it holds is a risk. */
  home: string;
  kernel: string;
  bwrap?: ToolFact & { version?: string };
  unshare?: ToolFact & { mapAuto: boolean };
  nsenter?: ToolFact;
  newuidmap?: ToolFact;
  newgidmap?: ToolFact;
  systemdRun?: ToolFact & { userBus: boolean };
  subuid?: IdRange;
  subgid?: IdRange;
  userns: { maxUserNamespaces?: number; unprivilegedClone?: number; apparmorRestrict?: number };
  /** fs.inotify.max_user_instances: every machine's systemd and its services use about a dozen. */
  inotifyInstances?: number;
  cgroups: CgroupFacts;
  network: NetworkTools;
  /** The user's systemd manager: machines run as its units where it answers. */
  userManager?: UserManagerProbe;
}

function tool(name: string): ToolFact | undefined {
  const p = which(name);
  if (!p) return undefined;
  const st = fs.statSync(p);
  return { path: p, setuidRoot: st.uid === 0 && (st.mode & 0o4000) !== 0 };
}

function readNumber(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

function run(file: string, args: string[]): string | undefined {
  try {
    return execFileSync(file, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const out = (e as { stdout?: string }).stdout;
    return typeof out === 'string' && out ? out : undefined;
  }
}

let unshareMapAuto: Map<string, boolean> | undefined;
/** `bwrap --version` per binary (path, size, mtime): a long-running host plans every start, and each exec costs ms. */
const bwrapVersions = new Map<string, string | undefined>();

function bwrapVersion(file: string): string | undefined {
  let key: string;
  try {
    const st = fs.statSync(file);
    key = `${file}\0${st.size}\0${st.mtimeMs}`;
  } catch {
    return undefined;
  }
  if (!bwrapVersions.has(key))
    bwrapVersions.set(
      key,
      run(file, ['--version'])
        ?.trim()
        .replace(/^bubblewrap\s+/, ''),
    );
  return bwrapVersions.get(key);
}

export function probeHost(): HostFacts {
  const info = os.userInfo();
  const bwrapTool = tool('bwrap');
  const unshareTool = tool('unshare');
  const systemdRunTool = tool('systemd-run');
  const runtime = process.env.XDG_RUNTIME_DIR;
  unshareMapAuto ??= new Map();
  let mapAuto = false;
  if (unshareTool) {
    if (!unshareMapAuto.has(unshareTool.path)) {
      unshareMapAuto.set(unshareTool.path, (run(unshareTool.path, ['--help']) ?? '').includes('--map-auto'));
    }
    mapAuto = unshareMapAuto.get(unshareTool.path)!;
  }
  const cgroups = probeCgroups(info.uid);
  return {
    uid: info.uid,
    gid: info.gid,
    user: info.username,
    home: os.homedir(),
    kernel: os.release(),
    bwrap: bwrapTool && { ...bwrapTool, version: bwrapVersion(bwrapTool.path) },
    unshare: unshareTool && { ...unshareTool, mapAuto },
    nsenter: tool('nsenter'),
    newuidmap: tool('newuidmap'),
    newgidmap: tool('newgidmap'),
    systemdRun: systemdRunTool && { ...systemdRunTool, userBus: !!runtime && fs.existsSync(`${runtime}/bus`) },
    subuid: readSubidRange('/etc/subuid'),
    subgid: readSubidRange('/etc/subgid'),
    userns: {
      maxUserNamespaces: readNumber('/proc/sys/user/max_user_namespaces'),
      unprivilegedClone: readNumber('/proc/sys/kernel/unprivileged_userns_clone'),
      apparmorRestrict: readNumber('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
    },
    cgroups,
    userManager: probeUserManager(cgroups.layout === 'unified' ? cgroups.mounts.find((m) => m.hierarchy === 'unified')?.mountPoint : undefined),
    inotifyInstances: readNumber('/proc/sys/fs/inotify/max_user_instances'),
    network: {
      pasta: process.env.BURROW_NAT_HELPER === 'slirp4netns' ? undefined : which('pasta'),
      slirp4netns: process.env.BURROW_NAT_HELPER === 'pasta' ? undefined : which('slirp4netns'),
      unprivilegedPortStart: readNumber('/proc/sys/net/ipv4/ip_unprivileged_port_start') ?? 1024,
      online: probeOnline(),
      ip: which('ip'),
    },
  };
}

/** Whether a full subordinate-id mapping can be set up (else machines fall back to `single`). */
export function canMapAuto(h: HostFacts): boolean {
  return !!(h.unshare?.mapAuto && h.newuidmap && h.newgidmap && h.subuid && h.subgid);
}
