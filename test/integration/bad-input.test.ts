// Bad input gets a one- or two-line error, a meaningful exit code, and nothing is written or overwritten.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, ok, type Sandbox } from './harness';

let sb: Sandbox;
let rootfs: string;
beforeAll(() => {
  sb = createSandbox('bad');
  rootfs = sb.rootfs('debian12', 'good');
  ok(sb.burrow(['create', 'good', '--rootfs', rootfs]));
});
afterAll(() => sb.cleanup());

const profilesDir = () => path.join(sb.root, 'config/burrow/machines');
const profileFiles = () => fs.readdirSync(profilesDir()).sort();

/** An error a person can read: short, no stack trace, names the problem. */
function expectClearError(r: { code: number; stdout: string; stderr: string }, code: number, message: RegExp) {
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
}

describe('bad input', () => {
  it.each([
    ['a missing rootfs', ['create', 'x', '--rootfs', '/nonexistent/rootfs'], 6, /rootfs \/nonexistent\/rootfs does not exist/],
    ['a file instead of a folder', ['create', 'x', '--rootfs', '/etc/hostname'], 6, /is a file, not a folder/],
    ['a rootfs owned by host root', ['create', 'x', '--rootfs', '/'], 6, /owned by host uid 0.*cannot reach[\s\S]*fix: re-import/],
    ['an invalid name', ['create', 'Bad Name', '--rootfs', '/tmp'], 2, /invalid machine name "Bad Name"/],
    ['a duplicate name', ['create', 'good', '--rootfs', '/tmp'], 4, /a machine named "good" already exists/],
    ['a relative mount destination', ['create', 'x', '--rootfs', '/tmp', '--tmpfs', 'var/log'], 2, /must be an absolute path inside the machine/],
    ['a .. mount destination', ['create', 'x', '--rootfs', '/tmp', '--bind', '/srv:/srv/../etc'], 2, /must not contain "\." or "\.\." segments/],
    ['an unknown capability', ['create', 'x', '--rootfs', '/tmp', '--cap-add', 'CAP_FLY'], 2, /unknown capability "CAP_FLY"/],
    ['an unknown option', ['create', 'x', '--rootfs', '/tmp', '--frobnicate'], 2, /Unknown option '--frobnicate'/],
    ['stopping a stopped machine', ['stop', 'good'], 4, /machine "good" is not running \(stopped\)/],
    ['a shell in a stopped machine', ['shell', 'good'], 4, /machine "good" is not running/],
    ['an unknown machine', ['start', 'ghost'], 3, /no machine named "ghost"/],
  ])('refuses %s', (_label, args, code, message) => {
    const before = profileFiles();
    expectClearError(sb.burrow(args as string[]), code as number, message as RegExp);
    expect(profileFiles()).toEqual(before);
  });

  it('refuses a rootfs without an init', () => {
    const empty = path.join(sb.root, 'empty-root');
    fs.mkdirSync(path.join(empty, 'etc'), { recursive: true });
    expectClearError(sb.burrow(['create', 'x', '--rootfs', empty]), 6, /has no init \(looked for \/usr\/lib\/systemd\/systemd, \/lib\/systemd\/systemd, \/sbin\/init\)/);
    expect(profileFiles()).toEqual(['good.json']);
  });

  it('reports a corrupt profile, leaves it as it is, and still lists the others', () => {
    const file = path.join(profilesDir(), 'broken.json');
    fs.writeFileSync(file, '{ "version": 1, "name": "broken", ');
    const ls = sb.burrow(['ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^good\s/m);
    expect(ls.stderr).toMatch(/profile of machine "broken" .* cannot be read: not JSON/);
    expectClearError(sb.burrow(['start', 'broken']), 7, /cannot be read: not JSON[\s\S]*fix: repair the file by hand, or delete it with: burrow rm broken/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{ "version": 1, "name": "broken", ');
    ok(sb.burrow(['rm', 'broken']));
    expect(fs.existsSync(file)).toBe(false);
  });

  it('explains a missing bwrap', () => {
    // A PATH with every tool burrow uses except bwrap.
    const bin = path.join(sb.root, 'nobwrap-bin');
    fs.mkdirSync(bin);
    for (const tool of ['sh', 'unshare', 'nsenter', 'newuidmap', 'newgidmap']) {
      for (const dir of ['/usr/bin', '/bin', '/usr/sbin']) {
        if (fs.existsSync(path.join(dir, tool))) {
          fs.symlinkSync(path.join(dir, tool), path.join(bin, tool));
          break;
        }
      }
    }
    expectClearError(sb.burrow(['start', 'good'], { env: { PATH: bin } }), 5, /bubblewrap \(bwrap\) is not installed[\s\S]*fix: install it/);
  });

  it('boots a single-uid machine with a warning; its services with User= fail, as the warning says', () => {
    const r = sb.burrow(['create', 'single', '--rootfs', sb.rootfs('debian12', 'single'), '--id-mapping', 'single']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning: single-uid mapping: only root exists inside, so services with User= .* will fail/);
    // dbus cannot switch to messagebus, so logind waits for it and boot does not complete for 90 s.
    const start = sb.burrow(['start', 'single', '--timeout', '8']);
    expect(start.code).toBe(1);
    expect(start.stdout).toMatch(/single is still booting/);
    expect(ok(sb.burrow(['shell', 'single', '--', 'id', '-u'])).trim()).toBe('0');
    expect(sb.burrow(['shell', 'single', '--', 'systemctl', 'is-failed', 'dbus.service']).stdout.trim()).toBe('failed');
    expect(ok(sb.burrow(['kill', 'single'])).trim()).toBe('single exited');
  });
});

describe('dangerous choices', () => {
  it('create and edit say what a writable home, ~/.ssh, your runtime folder, a dev-bind or host networking hands the machine', () => {
    const home = process.env.HOME!;
    const created = sb.burrow(['create', 'risky', '--rootfs', rootfs, '--bind', `${home}:/mnt/home`, '--network', 'host']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`RISK: your home folder ${home} is writable in the machine: root in the machine can then act as you: read your keys`);
    expect(created.stdout).toMatch(/RISK: host networking: the machine shares your loopback.*abstract unix sockets such as X11's/);
    const edited = sb.burrow(['edit', 'risky', '--network', 'nat', '--ro-bind', `${home}/.ssh:/root/.ssh`, '--mount', `bind:/run/user/${process.getuid!()}:/run/host-session`, '--mount', 'dev-bind:/dev/fuse:/dev/fuse']);
    expect(edited.code, edited.stderr).toBe(0);
    const lines = edited.stdout.split('\n').filter((l) => /^\s+(RISK|note):/.test(l));
    expect(lines).toEqual([
      `  RISK: your home folder ${home} is writable in the machine: root in the machine can then act as you: read your keys, change your shell's startup files and run anything as you at your next login.`,
      expect.stringMatching(new RegExp(`^  RISK: /run/user/${process.getuid!()} is your session's runtime folder .*: anything in the machine can talk to those services as you`)),
      expect.stringMatching(/^ {2}RISK: dev-bind \/dev\/fuse gives the machine the host's device nodes there/),
      `  note: ${home}/.ssh is readable in the machine: root in it can read the keys and tokens there and copy them out.`,
    ]);
    expect(edited.stdout).not.toMatch(/host networking/);
    ok(sb.burrow(['rm', 'risky']));
  });
});
