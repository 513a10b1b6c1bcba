// Moving a machine with one file: export it, import the archive under another configuration and data
// folder (as another computer would), create the machine with the settings it came with, and boot it:
// apache's workers run as www-data, a file capability survives, and every file has the owner and mode it
// had. Bad targets are refused before anything is written; an export killed halfway leaves nothing.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asImageRoot, BURROW, createSandbox, imageTar, ok, processAlive, spawn, waitFor, type Sandbox } from './harness';

let sb: Sandbox;
let elsewhere: Sandbox;
let out: string;
const sh = (box: Sandbox, machine: string, script: string) => ok(box.burrow(['shell', machine, '--', 'sh', '-c', script])).trim();
/** As root of the machine's own map: a file capability set there is one its root has. */
const mapped = asImageRoot;
const partials = (dir: string) => fs.readdirSync(dir).filter((e) => e.includes('.burrow-partial.'));

/**
 * Every file of a tree as the guest sees it: owner, group, mode, type, size of regular files, link target.
 * `mountLowers`: an overlay machine's folders, merged read-only as its overlay shows them.
 */
function listing(tree: string, mountLowers?: string[]): string[] {
  const find = `find . -printf '%U:%G %#m %y %s %p\\t%l\\n' | grep -v ' \\./\\.burrow-machine\\.json\\s'`;
  const script = mountLowers ? `mount -t overlay x -o ro,userxattr,lowerdir=${mountLowers.join(':')} "$1" && cd "$1" && ${find}` : `cd "$1" && ${find}`;
  const text = asImageRoot(['unshare', '--mount', '--', 'sh', '-c', script, 'sh', tree]);
  // A folder's size is the file system's business, not the guest's.
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^(\S+ \S+ d) \d+/, '$1 -'))
    .sort();
}

/** Our processes that hold open a file whose path starts with `prefix` (the archive being written). */
function writersOf(prefix: string): number[] {
  const pids: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readdirSync(`/proc/${pid}/fd`).some((fd) => fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(prefix))) pids.push(Number(pid));
    } catch {
      /* not ours, or gone */
    }
  }
  return pids;
}

beforeAll(() => {
  sb = createSandbox('export');
  elsewhere = createSandbox('moved');
  out = path.join(sb.root, 'out');
  fs.mkdirSync(out);
  ok(sb.burrow(['image', 'import', 'deb12', imageTar('debian12')]));
  ok(sb.burrow(['create', 'web', '--image', 'deb12', '--network', 'isolated', '--memory', '512M', '--env', 'APP_MODE=moved']));
  ok(sb.burrow(['start', 'web']));
  // Owners, modes and kinds the guest made: a service's folder, a setgid folder, a sticky one, a symlink, a hard link.
  sh(
    sb,
    'web',
    [
      'install -d -o www-data -g www-data -m 2750 /srv/site',
      'echo page > /srv/site/index.html && chown 33:33 /srv/site/index.html && chmod 0640 /srv/site/index.html',
      'install -d -m 1777 /srv/drop && ln -s ../site/index.html /srv/drop/link && ln /srv/site/index.html /srv/hard',
      'useradd -u 1234 -M alice && install -o alice -g alice -m 0600 /dev/null /srv/alice-only',
      'cp /bin/true /usr/local/bin/capfile && rm /etc/motd',
    ].join(' && '),
  );
  ok(sb.burrow(['stop', 'web']));
  // The guest has no setcap (libcap2-bin is not in the image): set it under the same mapping the guest has.
  mapped(['setcap', 'cap_net_bind_service=ep', path.join(sb.env.XDG_DATA_HOME!, 'burrow/overlays/web/upper/usr/local/bin/capfile')]);
});
afterAll(() => {
  elsewhere?.cleanup();
  sb?.cleanup();
});

describe('export, then import under another data folder', () => {
  it('boots the same machine: its settings, apache as www-data, the capability, every owner and mode', () => {
    const archive = path.join(out, 'web.tar.zst');
    const done = ok(sb.burrow(['export', 'web', archive]));
    expect(done).toMatch(/exported web to .*web\.tar\.zst: [\d.]+ MiB \(zstd\) in \d+\.\d\d s/);
    expect(fs.statSync(archive).mode & 0o777).toBe(0o600); // it holds the guest's /etc/shadow
    // The profile is the first entry; the tree follows with the guest's own numeric owners.
    const head = execFileSync('sh', ['-c', `zstd -dc ${archive} | tar -tv --numeric-owner -f - | head -3`], { encoding: 'utf8' });
    expect(head.split('\n')[0]).toMatch(/^-rw------- 0\/0 .* \.\/\.burrow-machine\.json$/);
    expect(head).toMatch(/0\/0 .* \.\/$/m);

    const imported = ok(elsewhere.burrow(['image', 'import', 'moved', archive]));
    expect(imported).toContain('imported moved, an export of machine web');
    expect(imported).toContain('burrow create web --image moved --exported-settings');
    const created = ok(elsewhere.burrow(['create', 'web', '--image', 'moved', '--exported-settings']));
    expect(created).toContain('settings of machine "web" as exported');
    const profile = JSON.parse(ok(elsewhere.burrow(['status', 'web', '--json'])));
    expect(profile).toMatchObject({ network: { mode: 'isolated' }, limitsRequested: { memory: '512M' } });

    // Every file, as the guest sees it, before the moved machine ever ran: the same.
    const src = path.join(sb.env.XDG_DATA_HOME!, 'burrow');
    const before = listing(fs.mkdtempSync(path.join(sb.root, 'mnt-')), [path.join(src, 'overlays/web/upper'), path.join(src, 'images/deb12/rootfs')]);
    const after = listing(path.join(elsewhere.env.XDG_DATA_HOME!, 'burrow/images/moved/rootfs'));
    expect(after.length).toBeGreaterThan(5000);
    expect(after).toEqual(before);
    expect(before).toContain('33:33 02750 d - ./srv/site\t');
    expect(before).toContain('1234:1234 0600 f 0 ./srv/alice-only\t');
    expect(before).toContain('0:0 0777 l 18 ./srv/drop/link\t../site/index.html');
    expect(before.some((l) => l.includes(' ./etc/motd\t'))).toBe(false);

    const caps = mapped(['getcap', path.join(elsewhere.env.XDG_DATA_HOME!, 'burrow/images/moved/rootfs/usr/local/bin/capfile')]);
    expect(caps).toMatch(/capfile cap_net_bind_service=ep/);

    ok(elsewhere.burrow(['start', 'web']));
    const apache = sh(elsewhere, 'web', 'ps -o user= -C apache2 | sort -u').split('\n');
    expect(apache).toEqual(['root', 'www-data']);
    expect(sh(elsewhere, 'web', 'stat -c "%U:%G %a" /srv/site /srv/site/index.html /srv/alice-only; cat /srv/drop/link')).toBe(
      'www-data:www-data 2750\nwww-data:www-data 640\nalice:alice 600\npage',
    );
    expect(sh(elsewhere, 'web', 'tr "\\0" "\\n" < /proc/1/environ | grep ^APP_MODE=')).toBe('APP_MODE=moved');
    ok(elsewhere.burrow(['stop', 'web']));
  });

  it('exports a snapshot, and a running machine (frozen while its changes are copied)', () => {
    ok(sb.burrow(['snapshot', 'web', '--label', 'for export']));
    ok(sb.burrow(['start', 'web']));
    sh(sb, 'web', 'echo after-the-snapshot > /root/later');
    const running = ok(sb.burrow(['export', 'web', path.join(out, 'running.tar')]));
    expect(running).toMatch(/web frozen for \d+\.\d\d s/);
    const snap = ok(sb.burrow(['export', 'web@1', path.join(out, 'snap.tar')]));
    expect(snap).not.toContain('frozen');
    const names = (f: string) => execFileSync('tar', ['-tf', path.join(out, f)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(names('running.tar')).toContain('./root/later\n');
    expect(names('snap.tar')).not.toContain('./root/later\n');
    expect(names('snap.tar')).toContain('./srv/site/index.html\n');
    ok(sb.burrow(['stop', 'web']));
    expect(partials(out)).toEqual([]);
  });
});

describe('bad targets', () => {
  it.each([
    [['export', 'web', '/nonexistent-folder/web.tar'], 3, /the folder \/nonexistent-folder does not exist/],
    [['export', 'web', 'OUT/web.tar.zst'], 4, /already exists/],
    [['export', 'web', 'OUT/web.zip'], 2, /cannot tell the format of .*web\.zip from its name/],
    [['export', 'nosuch', 'OUT/x.tar'], 3, /no machine named "nosuch"/],
    [['export', 'web@7', 'OUT/x.tar'], 3, /machine "web" has no snapshot 7/],
    [['export', 'web@x', 'OUT/x.tar'], 2, /"x" is not a snapshot number/],
    [['export', 'web'], 2, /expected 2 arguments/],
  ])('burrow %j exits %i and writes nothing', (args, code, why) => {
    const before = fs.readdirSync(out).sort();
    const r = sb.burrow((args as string[]).map((a) => a.replace('OUT', out)));
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(why);
    expect(r.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(2);
    expect(fs.readdirSync(out).sort()).toEqual(before);
  });

  it('not enough disk space: refused up front for a plain tar, and a compressed one that fills the disk keeps nothing', (ctx) => {
    const small = process.env.BURROW_TEST_SMALL_FS;
    if (!small) return ctx.skip('BURROW_TEST_SMALL_FS names no small file system (scripts/as-test-user.sh mounts one when run as root)');
    const target = fs.mkdtempSync(path.join(small, 'export-'));
    try {
      const plain = sb.burrow(['export', 'web', path.join(target, 'web.tar')]);
      expect(plain.code, plain.stderr).toBe(9);
      expect(plain.stderr).toMatch(/not enough disk space: the archive needs about \d+ MiB/);
      // Random bytes do not compress: zstd meets the full disk halfway.
      ok(sb.burrow(['start', 'web']));
      sh(sb, 'web', 'head -c 80000000 /dev/urandom > /root/random');
      const zst = sb.burrow(['export', 'web', path.join(target, 'web.tar.zst')]);
      expect(zst.code, zst.stderr).toBe(9);
      expect(zst.stderr).toContain('not enough disk space for the export (No space left on device); nothing was kept');
      expect(fs.readdirSync(target)).toEqual([]);
      sh(sb, 'web', 'rm /root/random');
      ok(sb.burrow(['stop', 'web']));
    } finally {
      fs.rmSync(target, { recursive: true, force: true });
    }
  });
});

describe('an export killed halfway (SIGKILL)', () => {
  it('leaves no partial file after the next command, and tar does not go on writing', async () => {
    const child = spawn(process.execPath, [BURROW, 'export', 'web', path.join(out, 'killed.tar.zst')], { env: sb.env, stdio: 'ignore' });
    await waitFor(
      () => partials(out).some((e) => e.startsWith('.killed.tar.zst.burrow-partial.') && fs.statSync(path.join(out, e)).size > 0),
      30_000,
      'the export to be writing',
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    await waitFor(() => writersOf(path.join(out, '.killed.tar.zst')).length === 0, 10_000, 'tar and zstd to end with their parent');
    expect(partials(out).length).toBeGreaterThan(0); // what the kill left, before any command runs
    ok(sb.burrow(['ls']));
    expect(partials(out)).toEqual([]);
    expect(fs.existsSync(path.join(out, 'killed.tar.zst'))).toBe(false);
    expect(processAlive(child.pid!)).toBe(false);
  });
});
