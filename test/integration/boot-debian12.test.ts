// Debian 12 with systemd 252, dbus and apache2, booted by an unprivileged user through the real CLI.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asMappedRoot, BURROW, createSandbox, ok, onPty, processAlive, TIME_SCALE, waitFor, type Sandbox } from './harness';

let sb: Sandbox;
beforeAll(() => {
  sb = createSandbox('deb12');
  ok(sb.burrow(['create', 'web', '--rootfs', sb.rootfs('debian12', 'web')]));
});
afterAll(() => sb.cleanup());

const status = (name = 'web') => JSON.parse(ok(sb.burrow(['status', name, '--json'])));
const shell = (...cmd: string[]) => sb.burrow(['shell', 'web', '--', ...cmd]);

/** Host uids of the processes in the machine's cgroup subtree, keyed by command name. */
function hostUidsByCommand(cgroupDir: string): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  const walk = (d: string) => {
    for (const line of fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
      try {
        const st = fs.readFileSync(`/proc/${line}/status`, 'utf8');
        const comm = /^Name:\s+(\S+)/m.exec(st)![1]!;
        const uid = Number(/^Uid:\s+(\d+)/m.exec(st)![1]);
        out.set(comm, (out.get(comm) ?? new Set()).add(uid));
      } catch {
        /* exited meanwhile */
      }
    }
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  walk(cgroupDir);
  return out;
}

describe('a Debian 12 machine', () => {
  it('boots to ready in a few seconds with the full subordinate-id mapping', () => {
    const r = sb.burrow(['start', 'web']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^web is running: ready in \d+\.\d+ s/);
    const s = status();
    expect(s.state).toBe('running');
    expect(s.bootMs).toBeLessThan(10_000 * TIME_SCALE);
    expect(s.failedUnits).toEqual([]);
    // root inside is this user; ids 1.. are the subordinate range
    const uidMap = fs
      .readFileSync(`/proc/${s.pid1}/uid_map`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number));
    expect(uidMap[0]).toEqual([0, process.getuid!(), 1]);
    expect(uidMap[1]![0]).toBe(1);
    expect(uidMap[1]![2]).toBeGreaterThanOrEqual(65535);
  });

  it('runs dbus and apache2, with apache workers as www-data (a subordinate uid on the host)', () => {
    expect(
      ok(shell('systemctl', 'is-active', 'dbus', 'apache2'))
        .trim()
        .split('\n'),
    ).toEqual(['active', 'active']);
    expect(ok(shell('ps', '-o', 'user=', '-C', 'apache2')).split('\n')).toContain('www-data');
    const plan = JSON.parse(ok(sb.burrow(['command', 'web', '--json', '--supervised'])));
    const uids = hostUidsByCommand(plan.cgroup.dirs[0].hostDir);
    const subStart = Number(fs.readFileSync(`/proc/${status().pid1}/uid_map`, 'utf8').trim().split('\n')[1]!.trim().split(/\s+/)[1]);
    expect(uids.get('apache2')).toContain(subStart + 33 - 1); // www-data is uid 33 inside
    expect(uids.get('dbus-daemon')).toEqual(new Set([expect.any(Number)]));
    expect([...uids.get('dbus-daemon')!][0]).toBeGreaterThanOrEqual(subStart);
  });

  it("answers with apache's default page on localhost:80 inside", () => {
    expect(ok(shell('curl', '-s', 'http://localhost/'))).toContain('Apache2 Debian Default Page');
  });

  it("shows apache's unit in the journal", () => {
    expect(ok(sb.burrow(['logs', 'web', '-u', 'apache2', '-n', '20']))).toMatch(/Started apache2\.service/);
  });

  it('passes the exit status of a command inside through', () => {
    expect(shell('sh', '-c', 'exit 7').code).toBe(7);
  });

  it('refuses a second start of a running machine', () => {
    const r = sb.burrow(['start', 'web']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/machine "web" is already running/);
  });

  it('replays the console history on attach and detaches with Ctrl+], leaving the machine running', async () => {
    const c = onPty(process.execPath, [BURROW, 'console', 'web'], sb.env);
    await waitFor(() => /Started .*apache2\.service/.test(c.output), 10_000, 'the boot messages in the replayed history');
    expect(c.output).toContain('Press Ctrl+] to detach');
    c.term.write('\x1d');
    await waitFor(() => c.exitCode !== undefined, 5000, 'console to detach');
    expect(c.exitCode).toBe(0);
    expect(c.output).toMatch(/detached from web; it keeps running/);
    expect(status().state).toBe('running');
  });

  it('offers a login on the console, as systemd-nspawn does: agetty owns it and hands a name to login', async () => {
    const c = onPty(process.execPath, [BURROW, 'console', 'web'], sb.env);
    await waitFor(() => /\S login: $/.test(c.output), 20_000, "agetty's login prompt on the console");
    expect(
      ok(shell('systemctl', 'show', '-p', 'ActiveState,SubState', 'console-getty'))
        .trim()
        .split('\n'),
    ).toEqual(['ActiveState=active', 'SubState=running']);
    // Exec'd (no longer "(agetty)", stuck before it), with the console as its controlling terminal.
    expect(ok(shell('ps', '-o', 'tty=,args=', '-C', 'agetty')).trim()).toMatch(/^console\s+\/sbin\/agetty /);
    c.term.write('root\r');
    await waitFor(() => /Password: ?$/.test(c.output), 10_000, 'login to ask for the password');
    c.term.write('\x1d');
    await waitFor(() => c.exitCode !== undefined, 5000, 'console to detach');
  });

  it('never turns a console resize into a signal for PID 1', async () => {
    const c = onPty(process.execPath, [BURROW, 'console', 'web'], sb.env);
    await waitFor(() => c.output.includes('Press Ctrl+]'), 5000, 'attach');
    for (const [cols, rows] of [
      [80, 24],
      [200, 60],
      [100, 30],
    ] as const) {
      c.term.resize(cols, rows);
      await new Promise((r) => setTimeout(r, 100));
    }
    c.term.write('\x1d');
    await waitFor(() => c.exitCode !== undefined, 5000, 'console to detach');
    // SIGWINCH to systemd would start kbrequest.target
    expect(shell('systemctl', 'is-active', 'kbrequest.target').stdout.trim()).toBe('inactive');
    expect(ok(shell('stty', '-F', '/dev/console', 'size')).trim()).toBe('30 100');
  });

  it('stops cleanly well within its timeout and removes its cgroup', () => {
    const before = status();
    const plan = JSON.parse(ok(sb.burrow(['command', 'web', '--json', '--supervised'])));
    const t0 = Date.now();
    const r = sb.burrow(['stop', 'web']);
    const elapsed = Date.now() - t0;
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('web stopped'); // systemd's exit status 130 after a clean halt: the window's word too
    expect(elapsed).toBeLessThan(30_000 * TIME_SCALE);
    expect(processAlive(before.pid1)).toBe(false);
    expect(processAlive(before.supervisorPid)).toBe(false);
    for (const d of plan.cgroup.dirs) expect(fs.existsSync(d.hostDir)).toBe(false);
    expect(status()).toMatchObject({ state: 'exited', exitCode: 130, message: 'stopped on request' });
    const again = sb.burrow(['stop', 'web']);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/is not running \(stopped\)/);
  });
});

describe('a machine whose unit fails at boot', () => {
  it('is announced degraded with the unit named, never running, the moment start returns', async () => {
    const rootfs = sb.rootfs('debian12', 'sick');
    // A unit of the image that fails as the machine boots (written as mapped root: the image is the guest's).
    const unit = '[Unit]\nDescription=Fails at boot\n[Service]\nType=oneshot\nExecStart=/bin/false\n[Install]\nWantedBy=multi-user.target\n';
    const wants = `${rootfs}/etc/systemd/system/multi-user.target.wants`;
    const file = `${rootfs}/etc/systemd/system/burrow-fails.service`;
    asMappedRoot(['sh', '-c', `printf '${unit}' > ${file} && ln -s ../burrow-fails.service ${wants}/burrow-fails.service`]);
    ok(sb.burrow(['create', 'sick', '--rootfs', rootfs, '--network', 'isolated']));
    // Every state the supervisor records while it starts (what the window hears), read as it writes them:
    // the first check after READY=1 is made ready during the boot, and must still come before `running`.
    const seen: string[] = [];
    const stateFile = path.join(sb.env.XDG_RUNTIME_DIR!, 'burrow', 'sick', 'state.json');
    const start = onPty(process.execPath, [BURROW, 'start', 'sick'], sb.env);
    const watcher = setInterval(() => {
      try {
        seen.push(JSON.parse(fs.readFileSync(stateFile, 'utf8')).state);
      } catch {
        /* not written yet, or being replaced */
      }
    }, 2);
    try {
      await waitFor(() => start.exitCode !== undefined, 60_000, 'burrow start to return');
    } finally {
      clearInterval(watcher);
    }
    expect(start.exitCode).toBe(0);
    expect(start.output).toMatch(/sick is degraded: ready in \d+\.\d+ s, failed units: burrow-fails\.service/);
    expect(status('sick')).toMatchObject({ state: 'degraded', failedUnits: ['burrow-fails.service'] });
    expect(seen).toContain('starting');
    expect(seen).not.toContain('running');
    ok(sb.burrow(['stop', 'sick']));
  });
});
