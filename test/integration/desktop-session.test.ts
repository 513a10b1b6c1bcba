// Machines on a systemd desktop: each one a unit of the user's own systemd (burrow-NAME.service), apart
// from whatever started it, seen and controlled with systemctl --user like any service, started at login
// once enabled, and refused clearly where a unit name belongs to someone else. Runs where a user manager
// answers (in CI: the qemu guest, scripts/vm, both from an app's service and from a login session);
// elsewhere it skips with its reason, and BURROW_EXPECT_USER_MANAGER turns the skip into a failure.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BURROW, createSandbox, imageTar, managerEnv, ok, type Sandbox } from './harness';

let sb: Sandbox | undefined;
let skipReason: string | undefined;

const status = (name: string) => JSON.parse(ok(sb!.burrow(['status', name, '--json'])));
const systemctl = (args: string[]) => spawnSync('systemctl', ['--user', ...args], { env: managerEnv(sb!.env), encoding: 'utf8', timeout: 120_000 });
const unitFile = (name: string) => path.join(os.homedir(), '.config/systemd/user', `burrow-${name}.service`);

beforeAll(() => {
  sb = createSandbox('desktop');
  const doctor = JSON.parse(sb.burrow(['doctor', '--json']).stdout) as { checks: { id: string; level: string; detail: string }[] };
  const manager = doctor.checks.find((c) => c.id === 'user-manager');
  if (manager?.level !== 'ok') {
    skipReason = `no systemd user manager answers here (${manager?.detail}); CI checks desktop sessions in the qemu guest (scripts/vm)`;
    if (process.env.BURROW_EXPECT_USER_MANAGER) throw new Error(`expected a user manager here, but ${skipReason}`);
    return;
  }
  process.stdout.write(`desktop-session: the tests run in cgroup ${fs.readFileSync('/proc/self/cgroup', 'utf8').trim()}\n`);
  ok(sb.burrow(['image', 'import', 'deb12', imageTar('debian12')], { timeoutMs: 600_000 }));
  ok(sb.burrow(['create', 'desk', '--image', 'deb12', '--network', 'isolated']));
}, 900_000);

afterAll(() => sb?.cleanup());

describe('a machine on a systemd desktop', () => {
  it("runs as its own unit of the user's systemd and outlives the scope that started it", (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    // A terminal or the window: a scope of the user's manager, stopped once the start returned.
    const launcher = 'burrow-test-launcher.scope';
    const inScope = ['env', `XDG_RUNTIME_DIR=${sb!.env.XDG_RUNTIME_DIR}`, process.execPath, BURROW, 'start', 'desk'];
    const r = spawnSync('systemd-run', ['--user', '--scope', '--quiet', `--unit=${launcher}`, ...inScope], {
      env: managerEnv(sb!.env),
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(r.status, r.stderr).toBe(0);
    systemctl(['stop', launcher]);
    const s = status('desk');
    expect(s.state).toMatch(/^(running|degraded)$/);
    expect(s.unit).toBe('burrow-desk.service');
    expect(systemctl(['is-active', 'burrow-desk.service']).stdout.trim()).toBe('active');
    const cg = systemctl(['show', '--property=ControlGroup', '--value', 'burrow-desk.service']).stdout.trim();
    expect(cg).toMatch(/\/user@\d+\.service\/app\.slice\/burrow-desk\.service$/);
    // PID 1 in the unit's delegated payload, the supervisor in its own leaf beside it.
    expect(fs.readFileSync(`/proc/${s.pid1}/cgroup`, 'utf8')).toContain(`0::${cg}/payload/`);
    expect(fs.readFileSync(`/proc/${s.supervisorPid}/cgroup`, 'utf8').trim()).toBe(`0::${cg}/supervisor`);
  });

  it('shows in systemctl --user status like any service', (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const st = systemctl(['status', '--no-pager', '--lines=0', 'burrow-desk.service']);
    expect(st.stdout).toContain('Burrow machine desk');
    expect(st.stdout).toMatch(/Active: active \(running\)/);
  });

  it('halts cleanly on systemctl --user stop, and Burrow reads it as stopped', (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const r = systemctl(['stop', 'burrow-desk.service']);
    expect(r.status, r.stderr).toBe(0);
    const s = status('desk');
    expect(s.state).toBe('exited');
    expect(s.exitCode).toBe(130);
    expect(ok(sb!.burrow(['ls']))).toMatch(/desk\s+stopped\s/);
    expect(systemctl(['is-active', 'burrow-desk.service']).stdout.trim()).not.toBe('active');
  });

  it('starts at login once enabled: systemctl --user start returns when it is ready (Type=notify)', (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const out = ok(sb!.burrow(['enable', 'desk']));
    expect(out).toMatch(/desk starts at login: burrow-desk\.service/);
    expect(fs.readFileSync(unitFile('desk'), 'utf8')).toMatch(/^# Written by burrow enable desk/);
    expect(systemctl(['is-enabled', 'burrow-desk.service']).stdout.trim()).toBe('enabled');
    const r = systemctl(['start', 'burrow-desk.service']);
    expect(r.status, r.stderr).toBe(0);
    expect(status('desk').state).toMatch(/^(running|degraded)$/);
    ok(sb!.burrow(['stop', 'desk']));
    // burrow start goes through the enabled unit too
    ok(sb!.burrow(['start', 'desk']));
    expect(status('desk').unit).toBe('burrow-desk.service');
    ok(sb!.burrow(['stop', 'desk']));
    expect(ok(sb!.burrow(['disable', 'desk']))).toMatch(/no longer starts at login/);
    expect(fs.existsSync(unitFile('desk'))).toBe(false);
    expect(ok(sb!.burrow(['disable', 'desk']))).toMatch(/was not set to start at login; nothing changed/);
  });
});

describe("unit names and user managers that are not Burrow's", () => {
  it('refuses a unit of the same name that Burrow did not write, and leaves it alone', (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    ok(sb!.burrow(['create', 'clash', '--image', 'deb12', '--network', 'isolated']));
    const file = unitFile('clash');
    const theirs = '[Service]\nExecStart=/bin/true\n';
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, theirs);
    systemctl(['daemon-reload']);
    try {
      const start = sb!.burrow(['start', 'clash']);
      expect(start.code).toBe(4);
      expect(start.stderr).toMatch(/a unit named burrow-clash\.service that Burrow did not write exists/);
      const enable = sb!.burrow(['enable', 'clash']);
      expect(enable.code).toBe(4);
      expect(fs.readFileSync(file, 'utf8')).toBe(theirs);
    } finally {
      fs.rmSync(file, { force: true });
      systemctl(['daemon-reload']);
    }
  });

  it('refuses to enable a machine whose image is gone, writing nothing', (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    ok(sb!.burrow(['create', 'orphan', '--image', 'deb12', '--network', 'isolated']));
    const profile = path.join(sb!.env.XDG_CONFIG_HOME!, 'burrow/machines/orphan.json');
    fs.writeFileSync(profile, JSON.stringify({ ...JSON.parse(fs.readFileSync(profile, 'utf8')), rootfs: '/nonexistent/rootfs' }));
    const r = sb!.burrow(['enable', 'orphan']);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/\/nonexistent\/rootfs does not exist/);
    expect(fs.existsSync(unitFile('orphan'))).toBe(false);
  });

  it('warns, with the fix, when a user bus exists but nothing answers on it', (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    // A socket file whose listener is gone (bound, never listening, left behind): connecting is refused.
    const dead = path.join(sb!.root, 'dead-bus');
    spawnSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', dead]);
    expect(fs.statSync(dead).isSocket()).toBe(true);
    const r = sb!.burrow(['doctor', '--json'], { env: { DBUS_SESSION_BUS_ADDRESS: `unix:path=${dead}` } });
    const check = (JSON.parse(r.stdout) as { checks: { id: string; level: string; detail: string; fix?: string }[] }).checks.find(
      (c) => c.id === 'user-manager',
    )!;
    expect(check.level).toBe('warning');
    expect(check.fix).toMatch(/systemctl --user status/);
  });
});
