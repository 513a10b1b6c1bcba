// Bad input gets a one- or two-line error, a meaningful exit code, and nothing is written or overwritten.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCgroups } from '../../electron/engine/cgroups';
import { processStartTime } from '../../electron/engine/runtime-state';
import { createSandbox, ok, processAlive, type Sandbox } from './harness';

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
    expectClearError(
      sb.burrow(['create', 'x', '--rootfs', empty]),
      6,
      /has no init \(looked for \/usr\/lib\/systemd\/systemd, \/lib\/systemd\/systemd, \/sbin\/init\)/,
    );
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
    expect(ok(sb.burrow(['kill', 'single'])).trim()).toBe('single stopped (killed)');
  });
});

describe('a planted runtime state', () => {
  // What another user could plant in /tmp/burrow-UID (or a bug leave behind): a record naming a process and
  // cgroups that are not the machine's. A victim process of ours sits in a sibling cgroup of ours, and a
  // fake cgroup folder lists it too: no command may signal it, remove its cgroup or join it.
  let victim: ChildProcess;
  let victimCgroup: string;
  let fakeCgroup: string;
  beforeAll(async () => {
    victimCgroup = path.join(probeCgroups(process.getuid!()).unified!.dir, `victim-${process.pid}`);
    fs.mkdirSync(victimCgroup);
    victim = spawn('sleep', ['600'], { stdio: 'ignore' });
    await new Promise((r) => victim.once('spawn', r));
    fs.writeFileSync(path.join(victimCgroup, 'cgroup.procs'), String(victim.pid));
    fakeCgroup = path.join(sb.root, 'fake-cgroup');
    fs.mkdirSync(fakeCgroup);
    fs.writeFileSync(path.join(fakeCgroup, 'cgroup.procs'), `${victim.pid}\n`);
  });
  afterAll(() => {
    victim.kill('SIGKILL');
    for (let i = 0; i < 50 && fs.existsSync(victimCgroup); i++) {
      try {
        fs.rmdirSync(victimCgroup);
      } catch {
        execSleep(20);
      }
    }
  });

  function plant(machine: string, state: string, extra: object = {}): void {
    const dir = path.join(sb.env.XDG_RUNTIME_DIR!, 'burrow', machine);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const start = processStartTime(victim.pid!);
    fs.writeFileSync(
      path.join(dir, 'state.json'),
      JSON.stringify({
        name: machine,
        state,
        networkHelperPid: victim.pid,
        networkHelperStartTime: start,
        cgroupDirs: [victimCgroup, fakeCgroup],
        unifiedCgroupDir: victimCgroup,
        ...extra,
      }),
    );
  }

  function expectVictimUntouched(): void {
    expect(processAlive(victim.pid!)).toBe(true);
    expect(fs.readFileSync(path.join(victimCgroup, 'cgroup.procs'), 'utf8').trim()).toBe(String(victim.pid));
    expect(fs.readdirSync(victimCgroup).filter((f) => !f.includes('.'))).toEqual([]);
    expect(fs.existsSync(path.join(fakeCgroup, 'cgroup.procs'))).toBe(true);
  }

  it('burrow shell, status and stop do not act on a running machine it names', () => {
    const start = processStartTime(victim.pid!);
    plant('good', 'running', { supervisorPid: victim.pid, supervisorStartTime: start, pid1: victim.pid });
    expectClearError(sb.burrow(['shell', 'good', '--', 'true']), 4, /its recorded PID 1 \(\d+\) is not in the machine's own cgroup/);
    const status = JSON.parse(ok(sb.burrow(['status', 'good', '--json'])));
    expect(status.usage).toBeUndefined();
    expectClearError(sb.burrow(['stop', 'good']), 4, /is not running/);
    expectVictimUntouched();
  });

  it('burrow rm leaves alone the process and the cgroups it names', () => {
    ok(sb.burrow(['create', 'doomed', '--rootfs', rootfs]));
    plant('doomed', 'crashed');
    ok(sb.burrow(['rm', 'doomed']));
    expectVictimUntouched();
  });

  it("burrow start clears only the machine's own, and boots", () => {
    plant('good', 'exited');
    try {
      ok(sb.burrow(['start', 'good']));
    } finally {
      // Stopped before anything is checked: a failed check must not leave the machine running.
      sb.burrow(['kill', 'good']);
    }
    expectVictimUntouched();
  });

  it('a runtime folder that is a link to planted state is refused, for reading too', () => {
    const runtime = path.join(sb.root, 'linked-run');
    fs.mkdirSync(runtime, { mode: 0o700 });
    fs.symlinkSync(path.join(sb.env.XDG_RUNTIME_DIR!, 'burrow'), path.join(runtime, 'burrow'));
    for (const args of [['status', 'good'], ['ls'], ['rm', 'good'], ['start', 'good']]) {
      expectClearError(
        sb.burrow(args, { env: { XDG_RUNTIME_DIR: runtime } }),
        5,
        /the runtime folder .*linked-run\/burrow is a symbolic link[\s\S]*fix: remove the link/,
      );
    }
    expect(profileFiles()).toContain('good.json');
  });
});

function execSleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('text from a guest', () => {
  // An OSC 52 clipboard write, a title change, a screen clear, a C1 CSI and a bidi override.
  const HOSTILE = '\u001b]52;c;cm0gLXJmIH4=\u0007\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202e';
  const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  it('reaches burrow create as escapes, never as terminal input', () => {
    const evil = path.join(sb.root, 'evil-root');
    fs.mkdirSync(path.join(evil, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(evil, 'usr/lib/systemd'), { recursive: true });
    fs.writeFileSync(path.join(evil, 'usr/lib/systemd/systemd'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(evil, 'etc/os-release'), `PRETTY_NAME="Evil ${HOSTILE} Linux"\n`);
    const r = ok(sb.burrow(['create', 'evil', '--rootfs', evil]));
    expect(r).toMatch(/created evil: Evil \\x1b\]52;c;cm0gLXJmIH4=\\x07/);
    expect(r).not.toMatch(CONTROL);
    ok(sb.burrow(['rm', 'evil']));
  });

  it('reaches burrow status and ls as escapes, from a STATUS=, unit names and a message in state.json', () => {
    ok(sb.burrow(['create', 'shown', '--rootfs', rootfs]));
    const dir = path.join(sb.env.XDG_RUNTIME_DIR!, 'burrow', 'shown');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const planted = { name: 'shown', state: 'exited', exitCode: 1, statusText: HOSTILE, failedUnits: [`x${HOSTILE}.service`], message: HOSTILE };
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(planted));
    for (const args of [['status', 'shown'], ['ls']]) {
      const r = sb.burrow(args);
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(CONTROL);
    }
    expect(ok(sb.burrow(['status', 'shown']))).toMatch(/systemd: \\x1b\]52;c;cm0gLXJmIH4=\\x07/);
    const json = ok(sb.burrow(['status', 'shown', '--json']));
    expect(json).not.toMatch(/[\u007f-\u009f\u202a-\u202e]/);
    expect(JSON.parse(json).statusText).toBe(HOSTILE);
    ok(sb.burrow(['rm', 'shown']));
  });
});

describe('dangerous choices', () => {
  it('create and edit say what a writable home, ~/.ssh, your runtime folder, a dev-bind or host networking hands the machine', () => {
    const home = process.env.HOME!;
    const created = sb.burrow(['create', 'risky', '--rootfs', rootfs, '--bind', `${home}:/mnt/home`, '--network', 'host']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`RISK: your home folder ${home} is writable in the machine: root in the machine can then act as you: read your keys`);
    expect(created.stdout).toMatch(/RISK: host networking: the machine shares your loopback.*abstract unix sockets such as X11's/);
    const edited = sb.burrow([
      'edit',
      'risky',
      '--network',
      'nat',
      '--ro-bind',
      `${home}/.ssh:/root/.ssh`,
      '--mount',
      `bind:/run/user/${process.getuid!()}:/run/host-session`,
      '--mount',
      'dev-bind:/dev/fuse:/dev/fuse',
    ]);
    expect(edited.code, edited.stderr).toBe(0);
    const lines = edited.stdout.split('\n').filter((l) => /^\s+(RISK|note):/.test(l));
    expect(lines).toEqual([
      `  RISK: your home folder ${home} is writable in the machine: root in the machine can then act as you: read your keys, change your shell's startup files and run anything as you at your next login.`,
      expect.stringMatching(
        new RegExp(`^  RISK: /run/user/${process.getuid!()} is your session's runtime folder .*: anything in the machine can talk to those services as you`),
      ),
      expect.stringMatching(/^ {2}RISK: dev-bind \/dev\/fuse gives the machine the host's device nodes there/),
      `  note: ${home}/.ssh is readable in the machine: root in it can read the keys and tokens there and copy them out.`,
    ]);
    expect(edited.stdout).not.toMatch(/host networking/);
    ok(sb.burrow(['rm', 'risky']));
  });
});
