// Networking and resource limits on real machines: a forwarded port answers on the host, nat and isolated
// machines cannot reach the host's loopback, a port in use is a clear error, slirp4netns works as the
// fallback, and limits are either written or explained (this host delegates no controllers).
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, curlOnHost, freePort, ok, processAlive, type Sandbox } from './harness';

let sb: Sandbox;
let rootfs: string;
let hostService: http.Server;
let hostServicePort: number;

/** curl inside the machine; its exit status 0 means it connected and got an answer. */
const curlInside = (name: string, url: string) => sb.burrow(['shell', name, '--', 'curl', '-sS', '-m', '3', '-o', '/dev/null', '-w', '%{http_code}', url]);

beforeAll(async () => {
  sb = createSandbox('net');
  rootfs = sb.rootfs('debian12', 'net');
  // A service on the host's loopback, which no machine may reach.
  hostService = http.createServer((_q, res) => res.end('host-only secret'));
  await new Promise<void>((r) => hostService.listen(0, '127.0.0.1', r));
  hostServicePort = (hostService.address() as AddressInfo).port;
});
afterAll(async () => {
  sb.cleanup();
  await new Promise((r) => hostService.close(r));
});

describe('nat mode with a port forward', () => {
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    ok(sb.burrow(['create', 'web', '--rootfs', rootfs, '-p', `${port}:80`]));
    ok(sb.burrow(['start', 'web']));
  });
  afterAll(() => sb.burrow(['stop', 'web']));

  it("serves apache's page on the host's 127.0.0.1", () => {
    const r = curlOnHost(`http://127.0.0.1:${port}/`);
    expect(r.code).toBe(0);
    expect(r.body).toContain('Apache2 Debian Default Page');
  });

  it('shows the network and the forward in status, with a link', () => {
    const out = ok(sb.burrow(['status', 'web']));
    expect(out).toContain(`network: nat, ports 127.0.0.1:${port} → 80/tcp`);
    expect(out).toContain(`open: http://127.0.0.1:${port}/`);
  });

  it("gives the machine an interface and a default route, but not the host's loopback services", () => {
    const dev = ok(sb.burrow(['shell', 'web', '--', 'cat', '/proc/net/dev']));
    expect(dev.split('\n').filter((l) => /^\s*\w+:/.test(l)).length).toBeGreaterThan(1);
    expect(ok(sb.burrow(['shell', 'web', '--', 'cat', '/proc/net/route']))).toMatch(/\t00000000\t/);
    const r = curlInside('web', `http://127.0.0.1:${hostServicePort}/`);
    expect(r.code).not.toBe(0);
  });

  it('reaches outside hosts when the host itself can', (ctx) => {
    const mirror = 'http://deb.debian.org/debian/';
    const fromHost = curlOnHost(mirror);
    if (fromHost.code !== 0) return ctx.skip(`this host cannot reach ${mirror} itself (curl exit ${fromHost.code})`);
    const r = curlInside('web', mirror);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('200');
  });

  it('refuses a second machine on the same host port with a clear error, and leaves nothing running', () => {
    ok(sb.burrow(['create', 'clash', '--rootfs', rootfs, '-p', `${port}:80`]));
    const r = sb.burrow(['start', 'clash']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`host port 127.0.0.1:${port} → 80/tcp cannot be bound: another program already uses it`);
    const s = JSON.parse(ok(sb.burrow(['status', 'clash', '--json'])));
    expect(s.state).toBe('crashed');
    expect(s.pid1).toBeUndefined();
    expect(curlOnHost(`http://127.0.0.1:${port}/`).body).toContain('Apache2'); // the first machine is unharmed
  });
});

describe('a port already used by another program', () => {
  it('is named in the error, and the machine does not run', async () => {
    const taken = http.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as AddressInfo).port;
    try {
      ok(sb.burrow(['create', 'busy', '--rootfs', rootfs, '-p', `${port}:80`]));
      const r = sb.burrow(['start', 'busy']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`host port 127.0.0.1:${port} → 80/tcp cannot be bound`);
      const runtime = path.join(sb.env.XDG_RUNTIME_DIR!, 'burrow', 'busy');
      const pastaPid = Number(fs.existsSync(path.join(runtime, 'pasta.pid')) ? fs.readFileSync(path.join(runtime, 'pasta.pid'), 'utf8') : 0);
      if (pastaPid) expect(processAlive(pastaPid)).toBe(false);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});

describe('isolated mode', () => {
  it("has loopback only and cannot reach the host's loopback services", () => {
    ok(sb.burrow(['create', 'alone', '--rootfs', rootfs, '--network', 'isolated']));
    ok(sb.burrow(['start', 'alone']));
    try {
      const dev = ok(sb.burrow(['shell', 'alone', '--', 'cat', '/proc/net/dev']));
      expect(
        dev
          .split('\n')
          .filter((l) => /^\s*\w+:/.test(l))
          .map((l) => l.trim().split(':')[0]),
      ).toEqual(['lo']);
      expect(curlInside('alone', `http://127.0.0.1:${hostServicePort}/`).code).not.toBe(0);
      expect(curlInside('alone', 'http://127.0.0.1/').stdout).toBe('200'); // its own apache answers inside
    } finally {
      ok(sb.burrow(['stop', 'alone']));
    }
  });
});

describe('slirp4netns, the fallback when pasta is missing', () => {
  it('forwards a port too', async () => {
    const port = await freePort();
    const env = { BURROW_NAT_HELPER: 'slirp4netns' };
    ok(sb.burrow(['create', 'slirp', '--rootfs', rootfs, '-p', `${port}:80`], { env }));
    ok(sb.burrow(['start', 'slirp'], { env }));
    try {
      expect(curlOnHost(`http://127.0.0.1:${port}/`).body).toContain('Apache2 Debian Default Page');
      expect(curlInside('slirp', `http://127.0.0.1:${hostServicePort}/`).code).not.toBe(0);
    } finally {
      ok(sb.burrow(['stop', 'slirp']));
    }
    expect(curlOnHost(`http://127.0.0.1:${port}/`).code).not.toBe(0); // the forward went with the machine
  });
});

describe('resource limits on a host that delegates no controllers', () => {
  it("are saved, explained at create and start, and usage is summed from the machine's processes", (ctx) => {
    const created = ok(sb.burrow(['create', 'capped', '--rootfs', rootfs, '--network', 'isolated', '--memory', '256M', '--pids', '512', '--cpus', '1.5']));
    const controllers = fs.readFileSync('/proc/self/cgroup', 'utf8');
    const hybrid = /^\d+:name=systemd:/m.test(controllers);
    if (!hybrid) return ctx.skip('this host is not hybrid: where controllers are delegated, limits apply (the device check in issue 7)');
    expect(created).toContain('resource limits will not be applied');
    ok(sb.burrow(['start', 'capped']));
    try {
      const status = ok(sb.burrow(['status', 'capped']));
      expect(status).toContain('limits: memory 256M, pids 512, cpus 1.5 (not applied:');
      expect(status).toMatch(/usage: memory [\d.]+ MiB, tasks \d+, cpu time [\d.]+ s \(summed from its processes/);
      const json = JSON.parse(ok(sb.burrow(['status', 'capped', '--json'])));
      expect(json.limitsRequested).toEqual({ memory: '256M', pids: 512, cpus: 1.5 });
      expect(json.usage.memoryBytes).toBeGreaterThan(1024 * 1024);
      expect(json.usage.pids).toBeGreaterThan(5);
    } finally {
      ok(sb.burrow(['stop', 'capped']));
    }
  });
});

describe('bad network and limit input', () => {
  it.each([
    [['-p', '80:80'], /host port 80 is below 1024/],
    [['-p', '8080:80', '-p', '8080:81'], /host port 8080\/tcp is forwarded twice/],
    [['-p', '8080'], /not \[ADDRESS:\]HOST:GUEST/],
    [['-p', '70000:80'], /host port must be 1-65535/],
    [['--network', 'host', '-p', '8080:80'], /port forwarding needs the nat network mode/],
    [['--network', 'bridge'], /--network must be nat, isolated, host/],
    [['--memory', '12Q'], /memory is a size like 512M/],
    [['--memory', '1M'], /at least 32M/],
    [['--pids', 'many'], /--pids must be a whole number/],
    [['--cpus', '0'], /cpus must be at least 0.01/],
  ])('refuses %j with a reason, saving nothing', (args, message) => {
    const r = sb.burrow(['create', 'bad', '--rootfs', rootfs, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(3);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(sb.burrow(['status', 'bad']).code).not.toBe(0);
  });

  it('edits ports while stopped and keeps the old profile when an edit is refused', () => {
    ok(sb.burrow(['create', 'editme', '--rootfs', rootfs, '-p', '18081:80']));
    ok(sb.burrow(['edit', 'editme', '--no-ports', '-p', '18082:80', '-p', '15353:53/udp']));
    const saved = JSON.parse(ok(sb.burrow(['status', 'editme', '--json']))).network;
    expect(saved.ports).toEqual([
      { host: 18082, guest: 80, protocol: 'tcp', address: 'loopback' },
      { host: 15353, guest: 53, protocol: 'udp', address: 'loopback' },
    ]);
    const r = sb.burrow(['edit', 'editme', '-p', '18082:81']);
    expect(r.code).toBe(2);
    expect(JSON.parse(ok(sb.burrow(['status', 'editme', '--json']))).network).toEqual(saved);
  });
});

describe('a profile written by the first version', () => {
  it('is read with the network it had (its own namespace, loopback only) and boots', () => {
    const v2 = JSON.parse(ok(sb.burrow(['create', 'old', '--rootfs', rootfs, '--json'])));
    const { network: _n, limits: _l, ...rest } = v2;
    const v1 = { ...rest, version: 1, namespaces: { ...v2.namespaces, net: true } };
    fs.writeFileSync(path.join(sb.env.XDG_CONFIG_HOME!, 'burrow', 'machines', 'old.json'), JSON.stringify(v1));
    const s = JSON.parse(ok(sb.burrow(['status', 'old', '--json'])));
    expect(s.network).toEqual({ mode: 'isolated', ports: [] });
    ok(sb.burrow(['start', 'old']));
    ok(sb.burrow(['stop', 'old']));
  });
});
