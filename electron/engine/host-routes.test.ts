import { describe, expect, it } from 'vitest';
import { hasDefaultRoute } from './host-routes';

// Tables as the kernel prints them (read off this build machine and an offline namespace).
const V4_HEADER = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n';
const V4_ONLINE = `${V4_HEADER}eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\neth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n`;
const V4_LAN_ONLY = `${V4_HEADER}eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n`;
const zeros = '0'.repeat(32);
const V6_ONLINE = `fd000000000000000000000000000000 40 ${zeros} 00 ${zeros} 00000100 00000001 00000000 00000001     eth0\n${zeros} 00 ${zeros} 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0\n`;
// The kernel's own unreachable default (RTF_REJECT on lo), present on hosts without IPv6 connectivity.
const V6_UNREACHABLE = `${zeros} 00 ${zeros} 00 ${zeros} ffffffff 00000001 00000000 00200200       lo\n`;

describe('hasDefaultRoute', () => {
  it('sees an IPv4 or an IPv6 default route', () => {
    expect(hasDefaultRoute(V4_ONLINE, '')).toBe(true);
    expect(hasDefaultRoute(V4_LAN_ONLY, V6_ONLINE)).toBe(true);
  });

  it('reads a host with only local routes, or nothing at all, as offline', () => {
    expect(hasDefaultRoute(V4_LAN_ONLY, V6_UNREACHABLE)).toBe(false);
    expect(hasDefaultRoute(V4_HEADER, '')).toBe(false);
    expect(hasDefaultRoute('', '')).toBe(false);
  });
});
