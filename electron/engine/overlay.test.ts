import { describe, expect, it } from 'vitest';
import { overlayMountScript, overlayPaths } from './overlay';

describe('overlay mount', () => {
  it('mounts with userxattr, the frozen layers between the upper layer and the image, top first', () => {
    const o = overlayPaths('web', 'persistent', '/data/images/deb12/rootfs', ['/data/overlays/web/layers/l2', '/data/overlays/web/layers/l1'])!;
    const script = overlayMountScript(o);
    expect(script).toContain('-o userxattr,lowerdir=/data/overlays/web/layers/l2:/data/overlays/web/layers/l1:/data/images/deb12/rootfs,upperdir=');
    // fuse-overlayfs gets the same folders without the kernel-only option.
    expect(script).toContain('fuse-overlayfs -o lowerdir=/data/overlays/web/layers/l2:');
  });

  it('refuses a stack whose option string overlayfs could not read', () => {
    const deep = Array.from({ length: 60 }, (_, i) => `/a/very/long/path/to/the/data/folder/burrow/overlays/web/layers/l${i}`);
    expect(() => overlayMountScript(overlayPaths('web', 'persistent', '/img', deep)!)).toThrow(/more than overlayfs reads/);
  });

  it('refuses a layer path that would break the option string', () => {
    expect(() => overlayMountScript(overlayPaths('web', 'persistent', '/img', ['/x/a,b'])!)).toThrow(/","/);
  });
});
