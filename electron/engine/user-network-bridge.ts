// The kernel side of a user network (see user-network.ts): the keeper that owns its user namespace N and
// its network namespace with the bridge, the commands that plug a machine into that bridge, and the /24 it
// uses. Commands are argv and fixed scripts; every value reaches them as an argument, never as script text.
import { createHash } from 'node:crypto';
import type { IdRange } from './idmap';
import { MACHINE_INTERFACE } from './user-network';

/**
 * The keeper: a user namespace N with you as root and your whole subordinate range after you (every id a
 * machine's map may use: treeLines in idmap.ts; unshare has newuidmap write it), a network namespace with a
 * bridge, then it waits on stdin, which is a pipe from the holder: when the holder ends, for whatever
 * reason, the keeper ends with it and the network is gone.
 */
const KEEPER_SCRIPT = 'set -e; ip=$1; "$ip" link set lo up; "$ip" link add br0 type bridge; "$ip" link set br0 up; echo ready; read -r _ || :';

export function keeperArgv(tools: { unshare: string; ip: string }, sub: { uid: IdRange; gid: IdRange }): string[] {
  const ids = [`--map-users=${sub.uid.start},1,${sub.uid.count}`, `--map-groups=${sub.gid.start},1,${sub.gid.count}`];
  return [tools.unshare, '--user', '--map-root-user', ...ids, '--net', '--', '/bin/sh', '-c', KEEPER_SCRIPT, 'burrow-network', tools.ip];
}

/**
 * Run as root of N, in the bridge's network namespace: a veth pair whose one end goes into the machine's
 * namespace (PID 1's, by its host pid) as burrow0 with the member's address, the other onto the bridge.
 * Root of N holds CAP_NET_ADMIN over both only because the machine's user namespace was made inside N.
 */
const ATTACH_SCRIPT = [
  'set -e; ip=$1; ns=$2; pid=$3; vb=$4; addr=$5',
  // A pair of that name is left only if its machine's namespace still lives; its address is free again now.
  `"$ip" link del "$vb" 2>/dev/null || :`,
  `printf 'link add %s type veth peer name ${MACHINE_INTERFACE} netns %s\\nlink set %s master br0 up\\n' "$vb" "$pid" "$vb" | "$ip" -batch -`,
  `printf 'address add %s dev ${MACHINE_INTERFACE}\\nlink set ${MACHINE_INTERFACE} up\\n' "$addr" | "$ns" --net=/proc/$pid/ns/net -- "$ip" -batch -`,
].join('\n');

export function attachArgv(tools: { nsenter: string; ip: string }, keeper: number, pid1: number, hostInterface: string, addressWithPrefix: string): string[] {
  return [
    tools.nsenter,
    `--user=/proc/${keeper}/ns/user`,
    `--net=/proc/${keeper}/ns/net`,
    '--',
    '/bin/sh',
    '-c',
    ATTACH_SCRIPT,
    'burrow-attach',
    tools.ip,
    tools.nsenter,
    String(pid1),
    hostInterface,
    addressWithPrefix,
  ];
}

/** The bridge-side end of a member's pair: unique per network, as the member's address is. */
export const hostInterfaceFor = (address: string): string => `vb${address.split('.').pop()}`;

export interface Route {
  destination: number;
  mask: number;
}

/** /proc/net/route's destinations and masks (little-endian hex, as the kernel prints them on x86 and arm). */
export function parseRoutes(table: string): Route[] {
  const le = (hex: string) => Buffer.from(hex.padStart(8, '0'), 'hex').readUInt32LE(0);
  return table
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && /^[0-9A-Fa-f]{8}$/.test(f[1]!) && /^[0-9A-Fa-f]{8}$/.test(f[7]!))
    .map((f) => ({ destination: le(f[1]!), mask: le(f[7]!) }))
    .filter((r) => r.mask !== 0); // the default route covers everything and clashes with nothing
}

const toNumber = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const SUBNET_MASK = 0xffffff00;

/**
 * The network's /24 in 10.89.0.0/16, picked from its name (the same network gets the same one each time),
 * skipping any that a host route overlaps: pasta copies the host's routes into every machine, and a clash
 * would cut it off from that part of the host's network. Networks are separate namespaces, so two that hash
 * alike still cannot reach each other; the hash only keeps their addresses apart for people reading them.
 */
export function pickSubnet(name: string, routes: Route[]): string {
  const start = createHash('sha256').update(name).digest().readUInt8(0);
  for (let i = 0; i < 256; i++) {
    const third = (start + i) % 256;
    const net = toNumber(10, 89, third, 0);
    const clash = routes.some((r) => (net & r.mask) >>> 0 === (r.destination & r.mask) >>> 0 || (r.destination & SUBNET_MASK) >>> 0 === net);
    if (!clash) return `10.89.${third}`;
  }
  throw new Error('every /24 in 10.89.0.0/16 overlaps a route of this host');
}
