// Views as addresses: each view and back, and anything else read as home.
import { describe, expect, it } from 'vitest';
import { parseRoute, routeOf, type View } from './route';

describe('addresses of views', () => {
  it.each<[string, View]>([
    ['#/', { kind: 'home' }],
    ['#/machine/web', { kind: 'machine', name: 'web', tab: undefined }],
    ['#/machine/web/shell', { kind: 'machine', name: 'web', tab: 'shell' }],
    ['#/machine/web/edit/network', { kind: 'wizard', edit: 'web', step: 'network' }],
    ['#/image/deb12', { kind: 'image', name: 'deb12' }],
    ['#/new/limits?image=deb12', { kind: 'wizard', step: 'limits', image: 'deb12' }],
    ['#/new?folder=%2Fsrv%2Frootfs', { kind: 'wizard', step: undefined, rootfs: '/srv/rootfs' }],
  ])('reads %s', (hash, view) => {
    expect(parseRoute(hash)).toEqual(view);
    // And writes it back the same way (the console tab and the basics step are the defaults, left out).
    expect(parseRoute(routeOf(view))).toEqual(view);
  });

  it('reads anything it does not know as home, or as the part it knows, never as more', () => {
    expect(parseRoute('#/machine/../../etc/passwd')).toEqual({ kind: 'home' });
    expect(parseRoute('#/machine/Web Server')).toEqual({ kind: 'home' });
    expect(parseRoute('#/machine/web/<script>')).toEqual({ kind: 'machine', name: 'web', tab: undefined });
    expect(parseRoute('#/new/evil?image=../x&folder=relative')).toEqual({ kind: 'wizard', step: undefined });
    expect(parseRoute(`#/new?folder=/${'a'.repeat(5000)}`)).toEqual({ kind: 'wizard', step: undefined });
    expect(parseRoute('#javascript:alert(1)')).toEqual({ kind: 'home' });
    expect(parseRoute('')).toEqual({ kind: 'home' });
  });

  it('leaves defaults out of the address', () => {
    expect(routeOf({ kind: 'machine', name: 'web', tab: 'console' })).toBe('#/machine/web');
    expect(routeOf({ kind: 'wizard', step: 'basics' })).toBe('#/new');
    expect(routeOf({ kind: 'wizard', edit: 'web', step: 'review' })).toBe('#/machine/web/edit/review');
  });
});
