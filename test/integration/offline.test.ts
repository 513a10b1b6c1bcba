// A nat machine on a host without a network connection (an offline laptop: no default route). pasta
// refuses to start there, so Burrow gives the machine slirp4netns instead, and a forwarded port still
// reaches it. Runs where the host is offline: in CI that is the qemu guest (scripts/vm), which has no
// network card; BURROW_EXPECT_OFFLINE turns the skip into a failure there.
import { probeOnline } from '../../electron/engine/host-routes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, curlOnHost, freePort, ok, type Sandbox } from './harness';

let sb: Sandbox | undefined;
let skipReason: string | undefined;

beforeAll(() => {
  if (probeOnline()) {
    skipReason = 'this host is online (it has a default route); CI checks the offline case in the qemu guest (scripts/vm)';
    if (process.env.BURROW_EXPECT_OFFLINE) throw new Error(`expected an offline host here, but ${skipReason}`);
    return;
  }
  sb = createSandbox('offline');
});

afterAll(() => sb?.cleanup());

describe('nat on a host without a network connection', () => {
  it('doctor says nat machines use slirp4netns until the host is online', (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const doctor = JSON.parse(ok(sb!.burrow(['doctor', '--json']))) as { checks: { id: string; level: string; detail: string }[] };
    const net = doctor.checks.find((c) => c.id === 'network')!;
    expect(net.detail).toMatch(/no default route.*slirp4netns/);
    expect(net.level).toBe('ok');
  });

  it('boots a nat machine through slirp4netns, and its forwarded port answers on the host', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const port = await freePort();
    const created = ok(sb!.burrow(['create', 'away', '--rootfs', sb!.rootfs('debian12', 'away'), '-p', `${port}:80`]));
    expect(created).toMatch(/no default route.*using slirp4netns/);
    ok(sb!.burrow(['start', 'away'], { timeoutMs: 300_000 }));
    try {
      expect(ok(sb!.burrow(['status', 'away']))).toContain(`network: nat, ports 127.0.0.1:${port} → 80/tcp`);
      expect(curlOnHost(`http://127.0.0.1:${port}/`).body).toContain('Apache2 Debian Default Page');
    } finally {
      ok(sb!.burrow(['stop', 'away']));
    }
  });
});
