// Shared folders with the right owners: your files show inside as your user there (uid 1000, named as you,
// made at boot), what that user makes is yours on the host, a read-only share refuses every write, and root
// in the machine is a subordinate id, not you. Another user can be chosen (www-data, to serve a folder), and
// once made, a machine keeps its user. Hostile --share values are refused in one line, nothing saved.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestUserName } from '../../electron/contract/share';
import { createSandbox, imageTar, ok, subordinateRange, type Sandbox } from './harness';

let sb: Sandbox;
let work: string;
let docs: string;
const me = { uid: process.getuid!(), gid: process.getgid!(), name: guestUserName(os.userInfo().username) };
const inside = (machine: string, script: string) => ok(sb.burrow(['shell', machine, '--', 'sh', '-c', script])).trim();
const asUser = (machine: string, script: string) => sb.burrow(['run', machine, '--', 'sh', '-c', script]);
const profileFiles = () => fs.readdirSync(path.join(sb.env.XDG_CONFIG_HOME!, 'burrow/machines')).sort();

beforeAll(() => {
  sb = createSandbox('shares');
  work = path.join(sb.root, 'project');
  docs = path.join(sb.root, 'docs');
  for (const d of [work, docs]) fs.mkdirSync(d);
  fs.writeFileSync(path.join(work, 'from-host.txt'), 'written on the host\n');
  fs.writeFileSync(path.join(docs, 'readme'), 'read only\n');
  ok(sb.burrow(['image', 'import', 'deb12', imageTar('debian12')]));
  ok(sb.burrow(['create', 'dev', '--image', 'deb12', '--network', 'isolated', '--share', `${work}:/work`, '--share', `${docs}:/docs:ro`]));
  ok(sb.burrow(['start', 'dev']));
});
afterAll(() => sb.cleanup());

describe('a shared folder', () => {
  it('shows your files inside as your user there: uid 1000, named as you, made at boot', () => {
    expect(inside('dev', 'stat -c "%u %U %g" /work/from-host.txt /work')).toBe(`1000 ${me.name} 1000\n1000 ${me.name} 1000`);
    expect(inside('dev', 'getent passwd 1000 | cut -d: -f1,6')).toBe(`${me.name}:/home/${me.name}`);
    expect(inside('dev', 'stat -c "%U %a" /run/user/1000')).toBe(`${me.name} 700`);
    expect(inside('dev', `stat -c %U /home/${me.name}`)).toBe(me.name);
  });

  it('gives what that user makes inside to you on the host', () => {
    const r = asUser('dev', 'id -u && echo made inside > /work/made-inside.txt && mkdir /work/folder && cat /work/from-host.txt');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('1000\nwritten on the host\n');
    for (const f of ['made-inside.txt', 'folder']) {
      const st = fs.statSync(path.join(work, f));
      expect([st.uid, st.gid]).toEqual([me.uid, me.gid]);
    }
    expect(fs.readFileSync(path.join(work, 'made-inside.txt'), 'utf8')).toBe('made inside\n');
  });

  it('refuses every write when read-only, to that user and to root', () => {
    for (const r of [asUser('dev', 'touch /docs/new'), sb.burrow(['shell', 'dev', '--', 'sh', '-c', 'echo x >> /docs/readme'])]) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/Read-only file system/);
    }
    expect(fs.readdirSync(docs)).toEqual(['readme']);
    expect(inside('dev', 'cat /docs/readme')).toBe('read only');
  });

  it('leaves root in the machine a subordinate id: what root makes there is not yours on the host', () => {
    inside('dev', 'touch /work/by-root');
    expect(fs.statSync(path.join(work, 'by-root')).uid).toBe(subordinateRange().start);
    expect(inside('dev', 'cat /proc/1/uid_map').split('\n')[0]!.trim().split(/\s+/)).toEqual(['0', String(subordinateRange().start), '1000']);
  });

  it("keeps the machine's services on their users", () => {
    expect(inside('dev', 'ps -o user= -C apache2 | sort -u')).toContain('www-data');
    expect(inside('dev', 'ps -o user= -C dbus-daemon')).toBe('messagebus');
    expect(inside('dev', 'systemctl is-system-running')).toBe('running');
  });

  it('keeps its user once made: another uid is refused, nothing saved', () => {
    const before = fs.readFileSync(path.join(sb.env.XDG_CONFIG_HOME!, 'burrow/machines/dev.json'), 'utf8');
    const r = sb.burrow(['edit', 'dev', '--share-user', '33']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the share user of "dev" is uid 1000 \(.*\) for good/);
    expect(fs.readFileSync(path.join(sb.env.XDG_CONFIG_HOME!, 'burrow/machines/dev.json'), 'utf8')).toBe(before);
  });
});

describe('another share user', () => {
  it('www-data owns a shared folder inside, and apache serves what you put there', () => {
    const site = path.join(sb.root, 'site');
    fs.mkdirSync(site);
    fs.writeFileSync(path.join(site, 'index.html'), 'served from a share\n');
    ok(sb.burrow(['create', 'web', '--image', 'deb12', '--network', 'isolated', '--share', `${site}:/var/www/html`, '--share-user', 'www-data']));
    ok(sb.burrow(['start', 'web']));
    try {
      expect(inside('web', 'stat -c %U /var/www/html/index.html')).toBe('www-data');
      expect(inside('web', 'curl -s http://127.0.0.1/index.html')).toBe('served from a share');
      // What www-data writes there is yours on the host.
      inside('web', 'su -s /bin/sh www-data -c "echo by www-data > /var/www/html/by-www-data"');
      expect(fs.statSync(path.join(site, 'by-www-data')).uid).toBe(me.uid);
    } finally {
      ok(sb.burrow(['stop', 'web']));
    }
  });
});

describe('hostile --share values', () => {
  const cases: [string, string[], RegExp][] = [
    ['a relative host path', ['--share', 'project:/work'], /the host folder must be an absolute path, not "project"/],
    ['a relative path inside', ['--share', '/tmp:work'], /the folder inside must be an absolute path, not "work"/],
    ['".." in the host path', ['--share', '/tmp/../etc:/work'], /the host folder must not contain "\.\." segments/],
    ['".." inside', ['--share', '/tmp:/work/../etc'], /must not contain "\." or "\.\." segments/],
    ['a ":" in a path', ['--share', '/tmp/a:b:/work'], /a path holding ":" cannot be shared/],
    ['a newline in a path', ['--share', '/tmp/x\n:/work'], /holds a newline or NUL/],
    ['an escape sequence as the mode', ['--share', '/tmp:/work:\u001b[2J'], /is not HOST_DIR:GUEST_DIR\[:ro\]/],
    ['a share onto /proc', ['--share', '/tmp:/proc'], /cannot be \/proc: \/proc belongs to the machine's own workings/],
    ['a share onto /sys', ['--share', '/tmp:/sys/fs/cgroup'], /\/sys belongs to the machine's own workings/],
    ['a share onto /run/host', ['--share', '/tmp:/run/host'], /\/run\/host belongs to the machine's own workings/],
    ['a share onto /', ['--share', '/tmp:/'], /would hide the whole machine/],
    ['a folder that does not exist', ['--share', '/nonexistent/burrow-share:/work'], /shared folder \/nonexistent\/burrow-share does not exist/],
    ['a file', ['--share', '/etc/hostname:/work'], /shared folder \/etc\/hostname is not a folder/],
    ['root as the share user', ['--share-user', '0'], /must be 1 or more \(0 is root, who is never you\)/],
    ['a share user with an escape', ['--share-user', '\u001b]0;x\u0007'], /a user name is lowercase letters/],
  ];
  it.each(cases)('refuses %s in one line and saves nothing', (_label, args, message) => {
    const before = profileFiles();
    const r = sb.burrow(['create', 'bad', '--image', 'deb12', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at |\u001b/);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
    expect(profileFiles()).toEqual(before);
  });

  it('says that a writable share of your home hands the machine your identity', () => {
    const home = process.env.HOME!;
    const r = sb.burrow(['create', 'risky', '--image', 'deb12', '--share', `${home}:/home/host`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`RISK: your home folder ${home} is writable in the machine: root in the machine can then act as you`);
    const ro = sb.burrow(['edit', 'risky', '--no-shares', '--share', `${home}:/home/host:ro`]);
    expect(ro.stdout).toContain(`note: your home folder ${home} is readable in the machine`);
    ok(sb.burrow(['rm', 'risky']));
  });
});
