// Machines find each other by name on a user network: two machines on the default network resolve and
// reach each other (apache on port 80), a machine on another network reaches neither, and the networked
// machine keeps its outbound access, its port forward and its files' owners. Hostile network names are refused.
// web is a folder unpacked the old way (root is you); client is made from an imported image, with a share
// user who is you inside (root a subordinate id): both kinds of id map nest in the network's namespace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, curlOnHost, freePort, imageTar, ok, processAlive, subordinateRange, waitFor, type Sandbox } from './harness';

let sb: Sandbox;
let port: number;
const status = (name: string) => JSON.parse(ok(sb.burrow(['status', name, '--json'])));
const inside = (name: string, ...cmd: string[]) => sb.burrow(['shell', name, '--', ...cmd]);
const curlInside = (name: string, url: string) => inside(name, 'curl', '-sS', '-m', '3', '-o', '/dev/null', '-w', '%{http_code}', url);
const networkDir = (name: string) => path.join(sb.env.XDG_RUNTIME_DIR!, 'burrow', '.networks', name);

beforeAll(() => {
  sb = createSandbox('usernet');
  port = 0;
  for (const name of ['web', 'stranger']) sb.rootfs('debian12', name);
  ok(sb.burrow(['image', 'import', 'deb12', imageTar('debian12')]));
});
afterAll(() => sb.cleanup());

describe('two machines on the default network', () => {
  beforeAll(async () => {
    port = await freePort();
    ok(sb.burrow(['create', 'web', '--rootfs', path.join(sb.root, 'images', 'web'), '-p', `${port}:80`]));
    ok(sb.burrow(['create', 'client', '--image', 'deb12']));
    ok(sb.burrow(['start', 'web']));
    ok(sb.burrow(['start', 'client']));
  });
  afterAll(() => {
    sb.burrow(['stop', 'client']);
    sb.burrow(['stop', 'web']);
  });

  it('each has an address on the network, shown in its status', () => {
    const [web, client] = [status('web').userNetwork, status('client').userNetwork];
    expect(web.name).toBe('default');
    expect(client.name).toBe('default');
    expect(web.address).toMatch(/^10\.89\.\d+\.\d+$/);
    expect(client.address).not.toBe(web.address);
  });

  it('resolve each other by machine name (getent hosts)', async () => {
    const web = status('web').userNetwork.address;
    // The names reach a machine's /etc/hosts just after it starts: wait for that, not longer.
    await waitFor(() => inside('client', 'getent', 'hosts', 'web').code === 0, 5000, 'client to resolve web');
    expect(
      ok(inside('client', 'getent', 'hosts', 'web'))
        .trim()
        .split(/\s+/),
    ).toEqual([web, 'web', 'web.burrow']);
    expect(
      ok(inside('web', 'getent', 'hosts', 'client'))
        .trim()
        .split(/\s+/),
    ).toEqual([status('client').userNetwork.address, 'client', 'client.burrow']);
  });

  it("reach each other's services: apache on web's port 80 answers client at http://web/", () => {
    const r = inside('client', 'curl', '-sS', '-m', '5', 'http://web/');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Apache2 Debian Default Page');
  });

  it('keep their port forward on the host and their outbound access', (ctx) => {
    expect(curlOnHost(`http://127.0.0.1:${port}/`).body).toContain('Apache2 Debian Default Page');
    const mirror = 'http://deb.debian.org/debian/';
    if (curlOnHost(mirror).code !== 0) return ctx.skip(`this host cannot reach ${mirror} itself`);
    expect(curlInside('web', mirror).stdout).toBe('200');
  });

  it('keep the host ids their files had: the same map seen from the host, services running as their users', () => {
    const pid1 = status('web').pid1;
    expect(fs.readFileSync(`/proc/${pid1}/uid_map`, 'utf8').trim().split(/\s+/)).toEqual([
      '0',
      String(process.getuid!()),
      '1',
      '1',
      expect.any(String),
      '65535',
    ]);
    expect(ok(inside('web', 'ps', '-o', 'user=', '-C', 'apache2'))).toContain('www-data');
  });

  it("are each in their own user namespace, made inside the network's, not in each other's", () => {
    const ns = (pid: number) => fs.readlinkSync(`/proc/${pid}/ns/user`);
    const [web, client] = [status('web').pid1, status('client').pid1];
    expect(ns(web)).not.toBe(ns(client));
    expect(ns(web)).not.toBe(ns(process.pid));
    // Inside, the maps are in the network namespace's terms (you are its 0, the range its 1 on), not the host's:
    // client's share user (uid 1000) is you, its root the range's first id.
    const { count } = subordinateRange();
    expect(
      ok(inside('client', 'cat', '/proc/self/uid_map'))
        .trim()
        .split(/\s+/),
    ).toEqual(['0', '1', '1000', '1000', '0', '1', '1001', '1002', String(count - 1001)]);
    expect(
      ok(inside('web', 'cat', '/proc/self/uid_map'))
        .trim()
        .split(/\s+/),
    ).toEqual(['0', '0', '1', '1', '1', String(count - 1)]);
  });
});

describe('a machine on another network', () => {
  it('reaches neither by name nor by address, and has its own network', async () => {
    ok(sb.burrow(['create', 'stranger', '--rootfs', path.join(sb.root, 'images', 'stranger'), '--network-name', 'other']));
    ok(sb.burrow(['start', 'web']));
    ok(sb.burrow(['start', 'client']));
    ok(sb.burrow(['start', 'stranger']));
    try {
      expect(status('stranger').userNetwork.name).toBe('other');
      expect(inside('stranger', 'getent', 'hosts', 'web').code).toBe(2);
      // Not by address either. Only what web serves counts: some hosts' networks accept any connection.
      ok(inside('web', 'sh', '-c', 'echo web-was-reached > /var/www/html/marker.txt'));
      const web = status('web').userNetwork.address;
      expect(ok(inside('client', 'curl', '-sS', '-m', '3', `http://${web}/marker.txt`))).toBe('web-was-reached\n');
      expect(inside('stranger', 'curl', '-sS', '-m', '3', `http://${web}/marker.txt`).stdout).not.toContain('web-was-reached');
      expect(inside('web', 'getent', 'hosts', 'stranger').code).toBe(2);
      expect(fs.existsSync(path.join(networkDir('other'), 'holder.sock'))).toBe(true);
    } finally {
      ok(sb.burrow(['stop', 'stranger']));
      ok(sb.burrow(['stop', 'client']));
      ok(sb.burrow(['stop', 'web']));
    }
  });
});

describe('a nat machine on no user network (--network-name none)', () => {
  it("starts as nat machines did before: its user namespace made from the host's, reachable by no machine", () => {
    ok(sb.burrow(['create', 'loner', '--rootfs', path.join(sb.root, 'images', 'stranger'), '--network-name', 'none']));
    ok(sb.burrow(['start', 'web']));
    ok(sb.burrow(['start', 'loner']));
    try {
      expect(status('loner').userNetwork).toBeUndefined();
      expect(ok(sb.burrow(['status', 'loner']))).not.toContain('user network');
      // Seen from inside, its ids are the host's: no network namespace in between.
      expect(
        ok(inside('loner', 'cat', '/proc/self/uid_map'))
          .trim()
          .split(/\s+/)
          .slice(0, 3),
      ).toEqual(['0', String(process.getuid!()), '1']);
      expect(inside('loner', 'getent', 'hosts', 'web').code).toBe(2);
      expect(inside('web', 'getent', 'hosts', 'loner').code).toBe(2);
    } finally {
      ok(sb.burrow(['stop', 'loner']));
      ok(sb.burrow(['stop', 'web']));
    }
  });
});

describe('coming and going', () => {
  it("a machine that stops leaves the others' /etc/hosts; the network ends when the last one leaves", async () => {
    ok(sb.burrow(['start', 'web']));
    ok(sb.burrow(['start', 'client']));
    await waitFor(() => inside('web', 'getent', 'hosts', 'client').code === 0, 5000, 'web to resolve client');
    ok(sb.burrow(['stop', 'client']));
    await waitFor(() => inside('web', 'getent', 'hosts', 'client').code === 2, 5000, "client to leave web's /etc/hosts");
    // The guest's own lines of /etc/hosts stay; only Burrow's block changes.
    ok(inside('web', 'sh', '-c', 'echo "192.0.2.7 printer" >> /etc/hosts'));
    ok(sb.burrow(['start', 'client']));
    await waitFor(() => inside('web', 'getent', 'hosts', 'client').code === 0, 5000, 'client to be back');
    expect(
      ok(inside('web', 'getent', 'hosts', 'printer'))
        .trim()
        .split(/\s+/),
    ).toEqual(['192.0.2.7', 'printer']);
    const holder = Number(fs.readFileSync(path.join(networkDir('default'), 'holder.starting'), 'utf8').split(' ')[0]);
    expect(processAlive(holder)).toBe(true);
    ok(sb.burrow(['stop', 'client']));
    ok(sb.burrow(['stop', 'web']));
    await waitFor(() => !processAlive(holder), 15_000, 'the holder to end once the network is empty');
    expect(fs.existsSync(path.join(networkDir('default'), 'holder.sock'))).toBe(false);
  });
});

describe('a reboot inside', () => {
  it("keeps the machine's address and names, on a new network namespace", async () => {
    ok(sb.burrow(['start', 'web']));
    ok(sb.burrow(['start', 'client']));
    try {
      const before = status('web');
      sb.burrow(['shell', 'web', '--', 'systemctl', 'reboot']);
      await waitFor(
        () => {
          const s = status('web');
          return s.state === 'running' && s.pid1 !== before.pid1;
        },
        60_000,
        'web to come back from its reboot',
      );
      expect(status('web').userNetwork).toEqual(before.userNetwork);
      await waitFor(() => curlInside('client', 'http://web/').stdout === '200', 10_000, 'client to reach web again');
      await waitFor(() => inside('web', 'getent', 'hosts', 'client').code === 0, 10_000, 'web to resolve client again');
    } finally {
      ok(sb.burrow(['stop', 'client']));
      ok(sb.burrow(['stop', 'web']));
    }
  });
});

describe('hostile network names', () => {
  it.each([
    ['a path', '../../etc'],
    ['a slash', 'a/b'],
    ['upper case', 'Lab'],
    ['an escape sequence', '\x1b[31mred'],
    ['a newline and a unit line', 'lab\nExecStart=/bin/sh'],
    ['an option', '-x'],
    ['100,000 characters', 'a'.repeat(100_000)],
  ])('refuses %s with a reason in one or two lines, saving nothing', (_what, name) => {
    const r = sb.burrow(['create', 'bad', '--rootfs', path.join(sb.root, 'images', 'stranger'), `--network-name=${name}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a network name is 1-31 lowercase letters');
    expect(r.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(2);
    expect(r.stderr).not.toMatch(/\x1b|\n\s+at /);
    expect(r.stderr.length).toBeLessThan(400);
    expect(sb.burrow(['status', 'bad']).code).toBe(3);
  });

  it('refuses a profile file whose network name was edited by hand, naming the field', () => {
    ok(sb.burrow(['create', 'edited', '--rootfs', path.join(sb.root, 'images', 'stranger')]));
    const file = path.join(sb.env.XDG_CONFIG_HOME!, 'burrow', 'machines', 'edited.json');
    const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...profile, network: { ...profile.network, name: '../../../tmp/x' } }));
    const r = sb.burrow(['start', 'edited']);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('network.name: a network name is 1-31 lowercase letters');
  });
});
