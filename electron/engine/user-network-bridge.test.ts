// A user network's plumbing as data: the subnet it picks around the host's routes, and the commands that
// make its keeper and plug a machine in (values as arguments, never inside script text).
import { describe, expect, it } from 'vitest';
import { attachArgv, hostInterfaceFor, keeperArgv, parseRoutes, pickSubnet } from './user-network-bridge';

const route = (dest: string, mask: string) => {
  const le = (ip: string) => Buffer.from(ip.split('.').map(Number).reverse()).toString('hex').toUpperCase();
  return `eth0\t${le(dest)}\t00000000\t0001\t0\t0\t0\t${le(mask)}\t0\t0\t0`;
};
const table = (...lines: string[]) => ['Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT', ...lines].join('\n');

describe("the network's /24", () => {
  it('is the same for a name each time, in 10.89.0.0/16, and differs between names', () => {
    expect(pickSubnet('default', [])).toBe(pickSubnet('default', []));
    expect(pickSubnet('default', [])).toMatch(/^10\.89\.\d{1,3}$/);
    expect(pickSubnet('default', [])).not.toBe(pickSubnet('other', []));
  });

  it('skips a /24 that a host route overlaps, either way round', () => {
    const usual = pickSubnet('default', []);
    const third = Number(usual.split('.')[2]);
    expect(pickSubnet('default', parseRoutes(table(route(`${usual}.0`, '255.255.255.0'))))).toBe(`10.89.${(third + 1) % 256}`);
    expect(pickSubnet('default', parseRoutes(table(route(`${usual}.128`, '255.255.255.192'))))).toBe(`10.89.${(third + 1) % 256}`);
    expect(() => pickSubnet('default', parseRoutes(table(route('10.0.0.0', '255.0.0.0'))))).toThrow('every /24 in 10.89.0.0/16 overlaps');
  });

  it('is not moved by the default route, and reads garbage as no route', () => {
    expect(parseRoutes(table(route('0.0.0.0', '0.0.0.0')))).toEqual([]);
    expect(parseRoutes('\x1b[2J\nnot a table\neth0 ZZZZZZZZ 0 0 0 0 0 ZZZZZZZZ')).toEqual([]);
  });
});

describe('the commands', () => {
  it('make the keeper with your subordinate ids, a network namespace and a bridge', () => {
    const ranges = { uid: { start: 100000, count: 65536 }, gid: { start: 200000, count: 65536 } };
    const argv = keeperArgv({ unshare: '/usr/bin/unshare', ip: '/usr/sbin/ip' }, ranges);
    expect(argv.slice(0, 7)).toEqual([
      '/usr/bin/unshare',
      '--user',
      '--map-root-user',
      '--map-users=100000,1,65536',
      '--map-groups=200000,1,65536',
      '--net',
      '--',
    ]);
    expect(argv.at(-1)).toBe('/usr/sbin/ip');
    expect(argv[9]).toContain('link add br0 type bridge');
  });

  it("plug a machine in as root of the keeper's namespaces, passing every value as an argument", () => {
    const argv = attachArgv({ nsenter: '/usr/bin/nsenter', ip: '/usr/sbin/ip' }, 4242, 5151, hostInterfaceFor('10.89.7.3'), '10.89.7.3/24');
    expect(argv.slice(0, 4)).toEqual(['/usr/bin/nsenter', '--user=/proc/4242/ns/user', '--net=/proc/4242/ns/net', '--']);
    expect(argv.slice(-5)).toEqual(['/usr/sbin/ip', '/usr/bin/nsenter', '5151', 'vb3', '10.89.7.3/24']);
    expect(argv[6]).not.toMatch(/5151|10\.89/);
  });
});
