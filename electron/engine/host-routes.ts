// Whether the host has a default route: pasta (at least up to Debian 12's passt) copies the host's
// routable interface into the machine and refuses to start without one, so an offline laptop cannot
// give a nat machine its network through pasta; slirp4netns works offline.
import * as fs from 'node:fs';

const RTF_UP = 0x1;
const RTF_REJECT = 0x200;

/** /proc/net/route: `Iface Destination Gateway Flags ... Mask ...`, addresses in hex. */
function ipv4Default(table: string): boolean {
  return table
    .split('\n')
    .slice(1)
    .some((line) => {
      const f = line.trim().split(/\s+/);
      return f.length >= 8 && f[1] === '00000000' && f[7] === '00000000' && (parseInt(f[3]!, 16) & RTF_UP) !== 0;
    });
}

/** /proc/net/ipv6_route: `dest plen src plen nexthop metric refcnt use flags iface`; the kernel's own
 * unreachable default on `lo` does not count. */
function ipv6Default(table: string): boolean {
  return table.split('\n').some((line) => {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^0+$/.test(f[0]!) || f[1] !== '00' || f[9] === 'lo') return false;
    const flags = parseInt(f[8]!, 16);
    return (flags & RTF_UP) !== 0 && (flags & RTF_REJECT) === 0;
  });
}

export function hasDefaultRoute(ipv4Table: string, ipv6Table: string): boolean {
  return ipv4Default(ipv4Table) || ipv6Default(ipv6Table);
}

const readOr = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

export const probeOnline = (): boolean => hasDefaultRoute(readOr('/proc/net/route'), readOr('/proc/net/ipv6_route'));
