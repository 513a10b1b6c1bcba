// A machine made before shared folders, when root in a machine was you: its image and its overlay hold files
// owned that way (root's are yours, guest id N is the range's N-1st). It keeps that map: it boots with its
// services' users and its files' owners as they were, and its profile is not rewritten. Shares are refused
// on it with the way out, and the way out (`image import --copy`) gives a machine whose shares work.
//
// The fixture is made as the code before did it: the image unpacked by tar under `unshare --map-auto
// --map-root-user`, its image.json and the machine's profile as that code wrote them (printed by it, with
// paths and ids put in), and an overlay upper layer holding what its root and www-data wrote, under that map.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestUserName } from '../../electron/contract/share';
import { createSandbox, imageTar, ok, subordinateRange, type Sandbox } from './harness';

let sb: Sandbox;
let imageRootfs: string;
let profileFile: string;
let shared: string;
const oldMap = (args: string[]) =>
  execFileSync('unshare', ['--user', '--map-auto', '--map-root-user', '--', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const inside = (machine: string, script: string) => ok(sb.burrow(['shell', machine, '--', 'sh', '-c', script])).trim();

beforeAll(() => {
  sb = createSandbox('legacy');
  const data = sb.env.XDG_DATA_HOME!;
  const image = path.join(data, 'burrow/images/old');
  imageRootfs = path.join(image, 'rootfs');
  fs.mkdirSync(imageRootfs, { recursive: true });
  // The old import: tar in the old map (the same options; the sandbox only limited where it could write).
  oldMap([
    'tar',
    '-x',
    '-p',
    '--numeric-owner',
    '--same-owner',
    '--xattrs',
    '--xattrs-include=security.capability',
    '--exclude=./dev/*',
    '-f',
    imageTar('debian12'),
    '-C',
    imageRootfs,
  ]);
  const record = {
    version: 1,
    name: 'old',
    createdAt: '2026-11-29T05:54:42.705Z',
    inPlace: false,
    source: { kind: 'tarball', path: imageTar('debian12'), compression: 'none' },
    distro: 'Debian GNU/Linux 12 (bookworm)',
    systemdVersion: 252,
    init: ['/usr/lib/systemd/systemd'],
    entries: 7781,
    bytes: 202257920,
    rootfs: imageRootfs,
  };
  fs.writeFileSync(path.join(image, 'image.json'), JSON.stringify(record, null, 2));
  const profile = {
    version: 2,
    name: 'old',
    rootfs: imageRootfs,
    image: 'old',
    storage: 'persistent',
    hostname: 'old',
    namespaces: { pid: true, ipc: true, uts: true, cgroup: true },
    capabilities: { add: 'ALL', drop: ['CAP_AUDIT_CONTROL', 'CAP_AUDIT_READ'] },
    idMapping: 'auto',
    network: { mode: 'isolated', ports: [] },
    limits: {},
    mounts: [
      { type: 'proc', dest: '/proc' },
      { type: 'dev', dest: '/dev' },
      { type: 'ro-bind', source: '/sys', dest: '/sys' },
      { type: 'mqueue', dest: '/dev/mqueue' },
      { type: 'tmpfs', dest: '/run', mode: '0755' },
      { type: 'tmpfs', dest: '/tmp', mode: '1777' },
    ],
    env: { container: 'burrow', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', TERM: 'xterm-256color' },
    cgroups: 'auto',
    init: [],
    maskUnits: ['sys-kernel-debug.mount', 'sys-kernel-tracing.mount', 'systemd-modules-load.service'],
    stopTimeoutSec: 30,
    machineId: 'd87661f08c4af69f6b2ffdf76f75612d',
  };
  profileFile = path.join(sb.env.XDG_CONFIG_HOME!, 'burrow/machines/old.json');
  fs.mkdirSync(path.dirname(profileFile), { recursive: true });
  fs.writeFileSync(profileFile, JSON.stringify(profile, null, 2) + '\n');
  // What it changed on its earlier boots, written under the map it ran with: a file of root's, one of www-data's.
  const upper = path.join(data, 'burrow/overlays/old/upper');
  fs.mkdirSync(upper, { recursive: true });
  oldMap(['sh', '-c', 'mkdir -p "$1/etc" "$1/var/lib/old" && echo before > "$1/etc/old-marker" && chown 33:33 "$1/var/lib/old"', 'sh', upper]);
  shared = path.join(sb.root, 'shared');
  fs.mkdirSync(shared);
  fs.writeFileSync(path.join(shared, 'from-host'), 'hello');
});
afterAll(() => sb.cleanup());

describe('a machine made before shared folders', () => {
  it("boots with its services' users and its files' owners, under the map it was made with, its profile untouched", () => {
    const saved = fs.readFileSync(profileFile, 'utf8');
    ok(sb.burrow(['start', 'old']));
    try {
      expect(ok(sb.burrow(['status', 'old']))).toContain('old: running');
      expect(inside('old', 'ps -o user= -C apache2 | sort -u')).toContain('www-data');
      expect(inside('old', 'ps -o user= -C dbus-daemon')).toBe('messagebus');
      expect(inside('old', 'stat -c %U /etc/old-marker /var/lib/old')).toBe('root\nwww-data');
      // Root there is still you (uid_map of the old kind: two lines, root first).
      expect(
        inside('old', 'cat /proc/1/uid_map')
          .split('\n')
          .map((l) => l.trim().split(/\s+/)),
      ).toEqual([
        ['0', String(process.getuid!()), '1'],
        ['1', String(subordinateRange().start), String(subordinateRange().count - 1)],
      ]);
      // What its root writes now is yours on the host, as before.
      inside('old', 'echo now > /root/written-now');
      expect(fs.statSync(path.join(sb.env.XDG_DATA_HOME!, 'burrow/overlays/old/upper/root/written-now')).uid).toBe(process.getuid!());
    } finally {
      ok(sb.burrow(['stop', 'old']));
    }
    expect(fs.readFileSync(profileFile, 'utf8')).toBe(saved);
  });

  it('is refused a share, a share user or the display, with the way out; and the way out gives a machine whose shares work', () => {
    const r = sb.burrow(['edit', 'old', '--share', `${shared}:/work`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--share: the files of image "old" are owned with root as you \(made before shared folders\)/);
    expect(r.stderr).toContain(`burrow image import NEW ${imageRootfs} --copy`);
    expect(sb.burrow(['create', 'old2', '--image', 'old', '--display']).stderr).toMatch(/--display: the files of image "old"/);
    // The way out: the image copied under the new map (tar reads it as its guest sees it, writes it the new way).
    ok(sb.burrow(['image', 'import', 'renewed', imageRootfs, '--copy']));
    const renewed = path.join(sb.env.XDG_DATA_HOME!, 'burrow/images/renewed/rootfs');
    expect(fs.statSync(path.join(renewed, 'etc/passwd')).uid).toBe(subordinateRange().start);
    expect(fs.statSync(path.join(renewed, 'var/www/html')).uid).toBe(subordinateRange().start);
    ok(sb.burrow(['create', 'renewed', '--image', 'renewed', '--network', 'isolated', '--share', `${shared}:/work`]));
    ok(sb.burrow(['start', 'renewed']));
    try {
      expect(inside('renewed', 'stat -c %U /work/from-host')).toBe(guestUserName(os.userInfo().username));
      expect(inside('renewed', 'ps -o user= -C apache2 | sort -u')).toContain('www-data');
    } finally {
      ok(sb.burrow(['stop', 'renewed']));
    }
  });
});
