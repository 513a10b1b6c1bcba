// Clones and snapshots of real machines: a clone boots with its source's files and goes its own way; a
// snapshot survives a deleted file, a removed folder and an installed package, and restore brings the machine
// back; a snapshot branches into a second machine while the first moves on; every bad input is refused with
// nothing left behind; a clone killed halfway leaves nothing, and a machine it froze is thawed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BURROW, createSandbox, freePort, imageTar, ok, spawn, waitFor, type Sandbox } from './harness';

let sb: Sandbox;
let port: number;
const data = () => path.join(sb.env.XDG_DATA_HOME!, 'burrow');
const overlays = () => path.join(data(), 'overlays');
const sh = (machine: string, script: string) => ok(sb.burrow(['shell', machine, '--', 'sh', '-c', script])).trim();
const state = (name: string) => JSON.parse(ok(sb.burrow(['status', name, '--json']))).state as string;
const profileOf = (name: string) => JSON.parse(fs.readFileSync(path.join(sb.env.XDG_CONFIG_HOME!, 'burrow', 'machines', `${name}.json`), 'utf8'));
/** What is in the overlays folder besides machines: a partial copy, a folder moved aside. */
const leftovers = () => (fs.existsSync(overlays()) ? fs.readdirSync(overlays()).filter((e) => e.startsWith('.')) : []);

/** An offline package, built inside the machine with dpkg-deb (CI machines may have no mirror). */
const BUILD_DEB = [
  'mkdir -p /tmp/pkg/DEBIAN /tmp/pkg/usr/share/burrow-test',
  "printf 'Package: burrow-test\\nVersion: 1.0\\nArchitecture: all\\n' > /tmp/pkg/DEBIAN/control",
  "printf 'Maintainer: Burrow <t@example.org>\\nDescription: snapshot test\\n' >> /tmp/pkg/DEBIAN/control",
  'echo from-the-package > /tmp/pkg/usr/share/burrow-test/hello',
  'dpkg-deb --build /tmp/pkg /tmp/burrow-test.deb >/dev/null',
].join(' && ');

beforeAll(async () => {
  sb = createSandbox('snap');
  port = await freePort();
  ok(sb.burrow(['image', 'import', 'deb12', imageTar('debian12')]));
  ok(sb.burrow(['create', 'src', '--image', 'deb12', '-p', `${port}:80`]));
});
afterAll(() => sb.cleanup());

describe('clone', () => {
  it("of a running machine boots with the source's file, and writes in either stay there", () => {
    ok(sb.burrow(['start', 'src']));
    sh('src', 'echo written-before-the-clone > /root/marker');
    const out = ok(sb.burrow(['clone', 'src', 'copy']));
    expect(out).toMatch(/cloned src into copy in \d+\.\d\d s: .* copied.*, src frozen for \d+\.\d\d s/);
    expect(out).toContain(`port forwards not copied (both machines would claim them): 127.0.0.1:${port} → 80/tcp`);
    expect(state('src')).toBe('running'); // thawed, still serving
    expect(sh('src', 'echo answers')).toBe('answers');
    ok(sb.burrow(['start', 'copy']));
    expect(sh('copy', 'cat /root/marker')).toBe('written-before-the-clone');
    sh('copy', 'echo copy > /root/own; echo copy-changed > /root/marker');
    sh('src', 'echo src > /root/own');
    expect(sh('src', 'cat /root/own /root/marker')).toBe('src\nwritten-before-the-clone');
    expect(sh('copy', 'cat /root/own /root/marker')).toBe('copy\ncopy-changed');
    // Its own identity: machine id, hostname, cgroup, no port of the source.
    const [a, b] = [profileOf('src'), profileOf('copy')];
    expect(b.machineId).not.toBe(a.machineId);
    expect(b.hostname).toBe('copy');
    expect(b.network.ports).toEqual([]);
    expect(JSON.parse(ok(sb.burrow(['status', 'copy', '--json']))).pid1).not.toBe(JSON.parse(ok(sb.burrow(['status', 'src', '--json']))).pid1);
    ok(sb.burrow(['stop', 'copy']));
    // A stopped source is copied as it is, without freezing anything.
    ok(sb.burrow(['stop', 'src']));
    const cold = ok(sb.burrow(['clone', 'src', 'cold']));
    expect(cold).not.toContain('frozen');
    ok(sb.burrow(['start', 'cold']));
    expect(sh('cold', 'cat /root/own')).toBe('src');
    ok(sb.burrow(['stop', 'cold']));
    ok(sb.burrow(['rm', 'cold']));
    expect(leftovers()).toEqual([]);
  });
});

describe('snapshot and restore', () => {
  it('brings back a deleted file and folder and removes an installed package; the machine boots', () => {
    ok(sb.burrow(['start', 'src']));
    expect(sh('src', 'ls /etc/apt/apt.conf.d | wc -l')).not.toBe('0');
    const taken = ok(sb.burrow(['snapshot', 'src', '--label', 'before upgrade']));
    expect(taken).toMatch(/snapshot src@1 "before upgrade" taken in \d+\.\d\d s \(copied, with src frozen for/);
    // Break it: a file and a folder from the image go (overlayfs must mark the folder opaque), a package comes.
    sh('src', `rm /etc/issue.net && rm -r /etc/apt/apt.conf.d && ${BUILD_DEB} && dpkg -i /tmp/burrow-test.deb >/dev/null`);
    expect(sh('src', "dpkg-query -W -f='${Status}' burrow-test")).toBe('install ok installed');
    expect(fs.existsSync(path.join(overlays(), 'src', 'upper', 'usr/share/burrow-test/hello'))).toBe(true);

    const refused = sb.burrow(['restore', 'src', '1']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('machine "src" is running: restoring replaces everything it sees');
    expect(refused.stderr).toContain('burrow restore src 1 --stop');
    expect(refused.stderr.split('\n').filter(Boolean)).toHaveLength(2);

    expect(ok(sb.burrow(['restore', 'src', '1', '--stop']))).toMatch(/src is back at snapshot 1 \(in \d+\.\d\d s, after stopping it\)/);
    expect(ok(sb.burrow(['start', 'src']))).toContain('src is running');
    expect(sh('src', 'test -f /etc/issue.net && ls /etc/apt/apt.conf.d | wc -l')).not.toBe('0');
    expect(sb.burrow(['shell', 'src', '--', 'dpkg-query', '-W', 'burrow-test']).code).not.toBe(0);
    expect(sh('src', 'test -e /usr/share/burrow-test && echo present || echo gone')).toBe('gone');
    expect(sh('src', 'cat /root/marker')).toBe('written-before-the-clone'); // what came before the snapshot stays
    expect(sh('src', 'systemctl is-active apache2')).toBe('active');
  });

  it('of a stopped machine freezes its changes into a layer without copying them, and lists with sizes', () => {
    sh('src', 'head -c 3000000 /dev/urandom > /root/three-mb');
    ok(sb.burrow(['stop', 'src']));
    const out = ok(sb.burrow(['snapshot', 'src', '--label', 'three megabytes']));
    expect(out).toContain('snapshot src@2 "three megabytes"');
    expect(out).toContain('its changes became a read-only layer, nothing was copied');
    const listed = JSON.parse(ok(sb.burrow(['snapshot', 'ls', 'src', '--json'])));
    expect(listed.snapshots.map((s: { id: string; label: string; current: boolean }) => [s.id, s.label, s.current])).toEqual([
      ['1', 'before upgrade', false],
      ['2', 'three megabytes', true],
    ]);
    ok(sb.burrow(['start', 'src']));
    expect(sh('src', 'wc -c < /root/three-mb')).toBe('3000000');
    sh('src', 'rm /root/three-mb');
    ok(sb.burrow(['stop', 'src']));
    // Snapshot 2 alone holds the 3 MB file; the machine's own changes now hide it.
    const df = JSON.parse(ok(sb.burrow(['df', '--json'])));
    const src = df.machines.find((m: { name: string }) => m.name === 'src');
    expect(src.snapshots.find((s: { id: string }) => s.id === '2').totalBytes).toBeGreaterThan(3_000_000);
    expect(df.images.find((i: { name: string }) => i.name === 'deb12')).toMatchObject({ machines: ['copy', 'src'], rmFrees: null });
    expect(src.sharedBytes).toBeGreaterThan(100_000_000);
  });

  it('branches a snapshot into a new machine while the original moves on; both boot with their own content', () => {
    ok(sb.burrow(['clone', 'src@1', 'branch']));
    ok(sb.burrow(['start', 'src']));
    sh('src', 'echo moved-on > /root/later');
    ok(sb.burrow(['start', 'branch']));
    expect(state('src')).toBe('running');
    expect(
      sh('branch', 'cat /root/marker; test -e /root/later && echo has-later || echo no-later; test -e /root/three-mb && echo has-3mb || echo no-3mb'),
    ).toBe('written-before-the-clone\nno-later\nno-3mb');
    expect(sh('src', 'cat /root/later')).toBe('moved-on');
    sh('branch', 'echo branch-only > /root/branch');
    expect(sb.burrow(['shell', 'src', '--', 'test', '-e', '/root/branch']).code).not.toBe(0);
    expect(JSON.parse(ok(sb.burrow(['snapshot', 'ls', 'branch', '--json']))).snapshots).toEqual([]);
    ok(sb.burrow(['stop', 'branch']));
    ok(sb.burrow(['stop', 'src']));
  });

  it('removes a snapshot and frees what only it held; reset keeps snapshots', () => {
    ok(sb.burrow(['snapshot', 'rm', 'src', '2']));
    expect(JSON.parse(ok(sb.burrow(['snapshot', 'ls', 'src', '--json']))).snapshots.map((s: { id: string }) => s.id)).toEqual(['1']);
    ok(sb.burrow(['reset', 'src']));
    ok(sb.burrow(['start', 'src']));
    expect(sb.burrow(['shell', 'src', '--', 'test', '-e', '/root/marker']).code).not.toBe(0); // back to the image
    ok(sb.burrow(['stop', 'src']));
    ok(sb.burrow(['restore', 'src', '1']));
    ok(sb.burrow(['start', 'src']));
    expect(sh('src', 'cat /root/marker')).toBe('written-before-the-clone');
    ok(sb.burrow(['stop', 'src']));
    const layers = fs.readdirSync(path.join(overlays(), 'src', 'layers'));
    const stack = JSON.parse(fs.readFileSync(path.join(overlays(), 'src', 'stack.json'), 'utf8'));
    expect(layers.sort()).toEqual(Object.keys(stack.layers).sort()); // nothing unreferenced stays on disk
    expect(leftovers()).toEqual([]);
  });
});

describe('past the depth bound', () => {
  it('merges the two oldest layers as overlayfs would show them: whiteouts, an opaque folder, a replaced file', () => {
    ok(sb.burrow(['create', 'deep', '--image', 'deb12', '--network', 'isolated']));
    ok(sb.burrow(['start', 'deep']));
    // Layer 1: new files, and a file of the image deleted (a whiteout over the image).
    sh('deep', 'mkdir -p /srv/dir && echo a > /srv/a && echo x > /srv/dir/x && echo one > /srv/replaced && rm /etc/issue.net');
    ok(sb.burrow(['stop', 'deep']));
    ok(sb.burrow(['snapshot', 'deep', '--label', 'one']));
    ok(sb.burrow(['start', 'deep']));
    // Layer 2: a file of layer 1 deleted, a folder of layer 1 replaced (opaque), a file rewritten, an image folder gone.
    sh('deep', 'rm /srv/a && rm -r /srv/dir && mkdir /srv/dir && echo y > /srv/dir/y && echo two > /srv/replaced && rm -r /etc/apt/apt.conf.d');
    ok(sb.burrow(['stop', 'deep']));
    ok(sb.burrow(['snapshot', 'deep', '--label', 'two']));
    const stackFile = path.join(overlays(), 'deep', 'stack.json');
    const [l1, l2] = JSON.parse(fs.readFileSync(stackFile, 'utf8')).snapshots.map((x: { layer: string }) => x.layer);
    let last = '';
    for (let i = 3; i <= 17; i++) last = ok(sb.burrow(['snapshot', 'deep']));
    expect(last).toContain('1 old layer pair squashed');
    const stack = JSON.parse(fs.readFileSync(stackFile, 'utf8'));
    const chain: string[] = [];
    for (let id = stack.base; id; id = stack.layers[id].parent) chain.unshift(id);
    expect(chain).toHaveLength(16);
    expect([l1, l2]).not.toContain(chain[0]);
    const expected = 'gone\ny\ntwo\ngone\ngone';
    const view =
      'test -e /srv/a && echo a || echo gone; ls /srv/dir; cat /srv/replaced; ' +
      'test -e /etc/issue.net && echo issue || echo gone; test -e /etc/apt/apt.conf.d && echo apt || echo gone';
    ok(sb.burrow(['start', 'deep']));
    expect(sh('deep', view)).toBe(expected);
    ok(sb.burrow(['stop', 'deep']));
    // Snapshots 1 and 2 still hold what they held.
    ok(sb.burrow(['restore', 'deep', '1']));
    ok(sb.burrow(['start', 'deep']));
    expect(sh('deep', view)).toBe('a\nx\none\ngone\napt');
    ok(sb.burrow(['stop', 'deep']));
    ok(sb.burrow(['restore', 'deep', '17']));
    ok(sb.burrow(['start', 'deep']));
    expect(sh('deep', view)).toBe(expected);
    ok(sb.burrow(['stop', 'deep']));
    ok(sb.burrow(['rm', 'deep']));
  });
});

describe('bad input', () => {
  it.each([
    [['clone', 'src', 'copy'], 4, /a machine named "copy" already exists/],
    [['clone', 'src', 'src'], 4, /a machine named "src" already exists/],
    [['clone', 'nosuch', 'x'], 3, /no machine named "nosuch"/],
    [['clone', 'src@99', 'x'], 3, /machine "src" has no snapshot 99/],
    [['clone', 'src@', 'x'], 2, /nothing follows "@"/],
    [['clone', 'src@one', 'x'], 2, /"one" is not a snapshot number/],
    [['clone', 'src@1@2', 'x'], 2, /more than one "@"/],
    [['clone', 'src', 'Bad Name'], 2, /invalid machine name/],
    [['clone', 'src'], 2, /expected 2 arguments/],
    [['snapshot', 'nosuch'], 3, /no machine named "nosuch"/],
    [['snapshot', 'src', '--label', 'evil\u001b]0;owned\u0007'], 2, /the snapshot label holds control characters/],
    [['snapshot', 'src', '--label', 'x'.repeat(300)], 2, /300 characters long/],
    [['snapshot', 'ls', 'nosuch'], 3, /no machine named "nosuch"/],
    [['snapshot', 'rm', 'src', '42'], 3, /machine "src" has no snapshot 42/],
    [['snapshot', 'rm', 'src', 'latest'], 2, /"latest" is not a snapshot number/],
    [['restore', 'src', '99'], 3, /machine "src" has no snapshot 99/],
    [['restore', 'src'], 2, /expected 2 arguments/],
  ])('burrow %j exits %i with a clear reason and changes nothing', (args, code, why) => {
    const before = fs.readdirSync(path.join(sb.env.XDG_CONFIG_HOME!, 'burrow', 'machines')).sort();
    const r = sb.burrow(args as string[]);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(r.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(2);
    expect(r.stderr).not.toContain('\u001b');
    expect(fs.readdirSync(path.join(sb.env.XDG_CONFIG_HOME!, 'burrow', 'machines')).sort()).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  it('an ephemeral machine has nothing to snapshot or restore', () => {
    ok(sb.burrow(['create', 'eph', '--image', 'deb12', '--ephemeral', '--network', 'isolated']));
    for (const args of [
      ['snapshot', 'eph'],
      ['restore', 'eph', '1'],
    ]) {
      const r = sb.burrow(args);
      expect(r.code).toBe(args[0] === 'snapshot' ? 2 : 3);
    }
    expect(sb.burrow(['snapshot', 'eph']).stderr).toContain('machine "eph" is ephemeral: it keeps nothing after it stops, so there is nothing to snapshot');
  });

  it('not enough disk space for a clone: refused before anything is written', (ctx) => {
    const small = process.env.BURROW_TEST_SMALL_FS;
    if (!small) return ctx.skip('BURROW_TEST_SMALL_FS names no small file system (scripts/as-test-user.sh mounts one when run as root)');
    // A direct machine's folder lives outside the data folder; its clone is copied into it.
    const dataOnSmall = fs.mkdtempSync(path.join(small, 'data-'));
    const env = { XDG_DATA_HOME: dataOnSmall };
    try {
      ok(sb.burrow(['create', 'direct', '--rootfs', sb.rootfs('debian12', 'direct'), '--network', 'isolated'], { env }));
      const r = sb.burrow(['clone', 'direct', 'toobig'], { env });
      expect(r.code, r.stderr).toBe(9);
      expect(r.stderr).toMatch(/not enough disk space: the clone of direct needs about \d+ MiB, and \d+ MiB is free/);
      expect(sb.burrow(['status', 'toobig'], { env }).code).toBe(3);
      expect(fs.readdirSync(path.join(dataOnSmall, 'burrow', 'overlays'))).toEqual([]);
    } finally {
      sb.burrow(['rm', 'direct'], { env });
      fs.rmSync(dataOnSmall, { recursive: true, force: true });
    }
  });
});

describe('a clone killed halfway (SIGKILL)', () => {
  it('leaves nothing after the next command, and the source it froze runs on', async () => {
    ok(sb.burrow(['start', 'src']));
    // Enough to copy that the kill lands mid-copy, with the source frozen.
    sh('src', 'head -c 1000000000 /dev/zero > /root/big && sync');
    const cg = JSON.parse(ok(sb.burrow(['command', 'src', '--json']))).cgroup.dirs.find((d: { hierarchy: string }) => d.hierarchy === 'unified');
    const frozen = () => fs.readFileSync(path.join(cg.hostDir, 'payload', 'cgroup.freeze'), 'utf8').trim() === '1';
    const child = spawn(process.execPath, [BURROW, 'clone', 'src', 'killed'], { env: sb.env, stdio: 'ignore' });
    await waitFor(() => leftovers().some((e) => e.startsWith('.killed.burrow-partial.')) && frozen(), 20_000, 'the clone to be copying with src frozen');
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(frozen()).toBe(true); // what a kill leaves, before any command runs
    ok(sb.burrow(['ls']));
    expect(leftovers()).toEqual([]);
    expect(fs.existsSync(path.join(overlays(), 'killed'))).toBe(false);
    expect(sb.burrow(['status', 'killed']).code).toBe(3);
    expect(frozen()).toBe(false);
    expect(sh('src', 'echo alive')).toBe('alive');
    sh('src', 'rm /root/big');
    ok(sb.burrow(['stop', 'src']));
  });
});
