// User networks, as a plan: nat machines on the same network reach each other by machine name.
//
// The design, and why. Every machine has its own user namespace (its own id map), and moving one end of a
// veth pair into a machine's network namespace needs CAP_NET_ADMIN over the namespaces on both sides. A
// flat design cannot get that: no unprivileged process holds capabilities in two sibling user namespaces
// at once. So each network has a holder (user-network-holder.ts, one small process per network) whose
// keeper child owns a user namespace N (your subordinate ids, as a machine's) and a network namespace with
// a bridge; every machine on the network is created *inside* N (nested), so root of N, and only root of
// N, holds capabilities over each machine's namespaces, while no machine's root holds any over another's
// (they are siblings) or over N. The holder plugs each machine into the bridge with a veth pair
// (`burrow0` inside, an address on the network's /24), and the machines' supervisors keep a block of
// their /etc/hosts current with the members' names (hosts-block.ts). Outbound access and port forwards
// stay exactly as before: pasta per machine, its own interface and default route. Rootless podman uses a
// shared namespace with a bridge and aardvark-dns in the same way, with all containers in one user
// namespace; here each machine keeps its own, and no DNS server is needed: glibc reads /etc/hosts.
//
// The machine's own launch changes only in its user namespace step: instead of `unshare --map-auto`
// (newuidmap, which works only from the host's user namespace), the launch enters N with nsenter and
// unshares there, and a process of N writes the nested maps (the same host ids, expressed in N's terms).
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { userNetworkOf } from '../contract/network-name';
import type { MachineProfile } from '../contract/profile';
import { treeLines, type IdMap, type IdMapLine, type IdRange } from './idmap';
import { nodeScriptCommand } from './node-runtime';
import type { UserManagerFacts } from './user-manager';

/** Replaced by the supervisor with the pid of the network's keeper (the owner of N), once the holder runs. */
export const NETWORK_KEEPER_PLACEHOLDER = '{NETWORK_KEEPER}';
/** The interface a machine gets on its user network (pasta's keeps the host's interface name). */
export const MACHINE_INTERFACE = 'burrow0';

/** Beside the machines' runtime folders; a leading dot cannot start a machine name, so none collides. */
export const networkRuntimeDir = (runtimeRoot: string, name: string): string => path.join(runtimeRoot, '.networks', name);
/**
 * The holder's unit, where machines run as units. A dot cannot occur in a machine name, so this never names
 * a machine's unit (burrow-NAME.service); the hash of the network's runtime folder keeps the `default`
 * network of two Burrow configurations (a test sandbox, a second XDG_RUNTIME_DIR) apart.
 */
export const networkUnitName = (name: string, dir: string): string =>
  `burrow-network.${name}.${createHash('sha256').update(dir).digest('hex').slice(0, 8)}.service`;

export interface UserNetworkPlan {
  name: string;
  /** The network's runtime folder: the holder's socket, lock and log. */
  dir: string;
  socket: string;
  /** How the supervisor starts the holder when none runs (argv[0] runs it; env is added to the caller's). */
  holder: { argv: string[]; env: Record<string, string>; unit?: string };
  /** The machine's id maps in N's terms, as written to uid_map and gid_map. */
  uidMap: string;
  gidMap: string;
}

/**
 * The same map for a user namespace nested in `parent`: each line's outside ids in the parent's terms.
 * The kernel takes a line only if its whole range lies in one line of the parent's map, so a line that
 * spans two of them is split; an id the parent does not map cannot be nested at all.
 */
export function nestMapLines(lines: IdMapLine[], parent: IdMapLine[]): IdMapLine[] {
  const out: IdMapLine[] = [];
  for (const line of lines) {
    let covered = 0;
    for (const p of parent) {
      const start = Math.max(line.outside, p.outside);
      const end = Math.min(line.outside + line.count, p.outside + p.count);
      if (start >= end) continue;
      out.push({ inside: line.inside + (start - line.outside), outside: p.inside + (start - p.outside), count: end - start });
      covered += end - start;
    }
    if (covered !== line.count) throw new Error(`host ids ${line.outside}-${line.outside + line.count - 1} are not all mapped in the network's user namespace`);
  }
  return out.sort((a, b) => a.inside - b.inside);
}

export const formatMapLines = (lines: IdMapLine[]): string => lines.map((l) => `${l.inside} ${l.outside} ${l.count}\n`).join('');

/**
 * Runs as root of N (entered with nsenter), as userns.ts's holder step does from the host: a holder child
 * unshares a user namespace, a process of N (this one: only a process of the parent namespace may) writes
 * its maps, and nsenter enters it as root. Entering matters: with a share user, your id is not root inside,
 * so a process that merely found itself mapped would be that user, without capabilities. The holder exits
 * once the namespace is held by fd 8; fds 3 and 4 (bwrap's info and block fds) go on to bwrap alone.
 * Arguments: runtime folder, uid_map, gid_map, unshare, nsenter, then the command.
 */
const ENTER_SCRIPT = [
  'set -e; d=$1; um=$2; gm=$3; u=$4; n=$5; shift 5',
  'rm -f "$d/userns.up" "$d/userns.go"; mkfifo -m 600 "$d/userns.up" "$d/userns.go"; exec 9<>"$d/userns.go"',
  '{ "$u" --user -- /bin/sh -c \'echo $$; read _ <"$0"\' "$d/userns.go" 3>&- 4>&- || echo failed; } >"$d/userns.up" &',
  'read -r h <"$d/userns.up"; ok=',
  'case $h in ""|*[!0-9]*) ;; *) printf "%s" "$um" >"/proc/$h/uid_map" && printf "%s" "$gm" >"/proc/$h/gid_map" && exec 8<"/proc/$h/ns/user" && ok=1 ;; esac',
  'echo >&9; wait; exec 9<&-; rm -f "$d/userns.up" "$d/userns.go"',
  '[ -n "$ok" ] || { echo "burrow: the machine\'s ids could not be mapped inside its user network" >&2; exit 1; }',
  'exec "$n" --user=/proc/self/fd/8 -- /bin/sh -c \'exec 8<&-; exec "$@"\' burrow-mapped "$@"',
].join('\n');

/** The command that creates the machine's user namespace inside the network's (replaces `unshare --map-auto`). */
export function nestedUserNamespacePrefix(
  net: UserNetworkPlan,
  tools: { nsenter: string; unshare: string },
  runtimeDir: string,
  opts: { mount?: boolean } = {},
): string[] {
  const { nsenter, unshare } = tools;
  const then = opts.mount ? [unshare, '--mount', '--'] : [];
  return [
    nsenter,
    `--user=/proc/${NETWORK_KEEPER_PLACEHOLDER}/ns/user`,
    '--',
    '/bin/sh',
    '-c',
    ENTER_SCRIPT,
    'burrow-userns',
    runtimeDir,
    net.uidMap,
    net.gidMap,
    unshare,
    nsenter,
    ...then,
  ];
}

export interface UserNetworkInput {
  profile: MachineProfile;
  map: IdMap;
  /** Your ids and subordinate ranges: the network's user namespace maps them all (idmap.ts treeLines). */
  host: { uid: number; gid: number; subuid?: IdRange; subgid?: IdRange };
  /** The machine's runtime folder; the network's sits beside it. */
  runtimeDir: string;
  ip?: string;
  nsenter?: string;
  /** Where machines run as units of the user's systemd, the holder is one too (else it would go with the first machine's unit). */
  manager?: UserManagerFacts;
  env?: NodeJS.ProcessEnv;
}

/** The machine's user network, or why it has none (a warning); undefined where it is on none (not nat). */
export function planUserNetwork(input: UserNetworkInput): { plan?: UserNetworkPlan; warning?: string } | undefined {
  const name = userNetworkOf(input.profile.network);
  if (!name) return undefined;
  const off = (why: string) => ({ warning: `the machine joins no user network (other machines cannot reach it by name): ${why}.` });
  const { uid, gid, subuid, subgid } = input.host;
  if (input.map.mode !== 'auto' || !subuid || !subgid) return off('that needs the full id mapping (your subordinate ids)');
  if (!input.ip) return off('the ip command (package iproute2) is missing');
  if (!input.nsenter) return off('nsenter (package util-linux) is missing');
  const parent = { uid: treeLines(uid, subuid), gid: treeLines(gid, subgid) };
  const nested = (kind: 'uid' | 'gid') => formatMapLines(nestMapLines(kind === 'uid' ? input.map.uidLines : input.map.gidLines, parent[kind]));
  let uidMap: string;
  let gidMap: string;
  try {
    [uidMap, gidMap] = [nested('uid'), nested('gid')];
  } catch (e) {
    return off((e as Error).message);
  }
  const dir = networkRuntimeDir(path.dirname(input.runtimeDir), name);
  return {
    plan: { name, dir, socket: path.join(dir, 'holder.sock'), holder: holderStart(name, dir, input.manager, input.env ?? process.env), uidMap, gidMap },
  };
}

/**
 * The holder runs on our own runtime as `network-holder.js NAME` (a small bundle of its own: it starts in
 * about the time Node does, where the CLI's bundle would add some 50 ms to the first boot on a network);
 * in a unit of the user's systemd where machines run in units.
 */
function holderStart(name: string, dir: string, manager: UserManagerFacts | undefined, env: NodeJS.ProcessEnv): UserNetworkPlan['holder'] {
  const cli = nodeScriptCommand(path.join(__dirname, 'network-holder.js'), [name]);
  const holderEnv = { XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR ?? '', PATH: env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: env.LANG ?? 'C.UTF-8', ...cli.env };
  if (!manager) return { argv: [cli.file, ...cli.args], env: holderEnv };
  const unit = networkUnitName(name, dir);
  const setenv = Object.entries(holderEnv).map(([k, v]) => `--setenv=${k}=${v}`);
  // systemd-run finds the manager through $XDG_RUNTIME_DIR, which Burrow's own runtime folder may not be under.
  const argv = [
    'env',
    `XDG_RUNTIME_DIR=${manager.runtimeDir}`,
    manager.systemdRun,
    '--user',
    `--unit=${unit}`,
    `--description=Burrow network ${name}`,
    '--quiet',
    '--collect',
    ...setenv,
    '--',
    cli.file,
    ...cli.args,
  ];
  return { argv, env: {}, unit };
}
