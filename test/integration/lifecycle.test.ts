// Machines beyond the happy path: the printed command line, two at once, a supervisor killed outright,
// and Debian 13 (systemd 257) on the unified cgroup presentation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, ok, onPty, processAlive, waitFor, type Sandbox } from './harness';

let sb: Sandbox;
beforeAll(() => {
  sb = createSandbox('life');
  ok(sb.burrow(['create', 'one', '--rootfs', sb.rootfs('debian12', 'one')]));
  ok(sb.burrow(['create', 'two', '--rootfs', sb.rootfs('debian12', 'two')]));
  ok(sb.burrow(['create', 'trixie', '--rootfs', sb.rootfs('debian13', 'trixie')]));
});
afterAll(() => sb.cleanup());

const status = (name: string) => JSON.parse(ok(sb.burrow(['status', name, '--json'])));

/** The processes in a cgroup tree; one that systemd removes while it is read counts as empty. */
function pidsIn(dir: string): number[] {
  try {
    const pids = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) pids.push(...pidsIn(path.join(dir, e.name)));
    return pids;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

describe('the printed command line', () => {
  it('boots the machine by itself when pasted into a shell', async () => {
    const line = ok(sb.burrow(['command', 'one']));
    const plan = JSON.parse(ok(sb.burrow(['command', 'one', '--json'])));
    // Made as the supervisor makes it: the runtime folder private (burrow refuses it otherwise).
    fs.mkdirSync(plan.hostDir, { recursive: true, mode: 0o700 });
    // Listen where the machine's systemd reports readiness, as the supervisor would.
    const dgram = require('@burrow/unix-dgram') as typeof import('@burrow/unix-dgram');
    let ready = false;
    const sock = dgram.bind(plan.notifySocket, (m: Buffer) => (ready ||= m.toString().split('\n').includes('READY=1')));
    const run = onPty('/bin/sh', ['-c', line], sb.env);
    try {
      await waitFor(() => ready || run.exitCode !== undefined, 30_000, 'READY=1 from the pasted command');
      expect(run.exitCode).toBeUndefined();
      expect(ready).toBe(true);
      // PID 1 is the process whose innermost pid is 1, in the machine's cgroup.
      const pid1 = pidsIn(plan.cgroup.dirs[0].hostDir).find((p) => /NSpid:.*\t1$/m.test(fs.readFileSync(`/proc/${p}/status`, 'utf8')));
      expect(pid1).toBeDefined();
      process.kill(pid1!, 37); // SIGRTMIN+3: halt
      await waitFor(() => run.exitCode !== undefined, 30_000, 'the machine to halt');
      expect(run.exitCode).toBe(130);
    } finally {
      sock.close();
      run.term.kill('SIGKILL');
    }
  });
});

describe('two machines', () => {
  it('run at once, each in its own cgroup, and stop independently', () => {
    ok(sb.burrow(['start', 'one']));
    ok(sb.burrow(['start', 'two']));
    const ls = JSON.parse(ok(sb.burrow(['ls', '--json'])));
    const states = Object.fromEntries(ls.machines.map((m: { name: string; state: string }) => [m.name, m.state]));
    expect([states.one, states.two]).toEqual(['running', 'running']);
    const [a, b] = [status('one'), status('two')];
    expect(a.pid1).not.toBe(b.pid1);
    expect(ok(sb.burrow(['shell', 'two', '--', 'systemctl', 'is-active', 'apache2'])).trim()).toBe('active');
    ok(sb.burrow(['stop', 'one']));
    expect(status('one').state).toBe('exited');
    expect(status('two').state).toBe('running');
    ok(sb.burrow(['stop', 'two']));
  });
});

describe('a supervisor killed with SIGKILL', () => {
  it('takes its machine down, reads as crashed, and the machine starts again', async () => {
    ok(sb.burrow(['start', 'one']));
    const s = status('one');
    const plan = JSON.parse(ok(sb.burrow(['command', 'one', '--json', '--supervised'])));
    expect(pidsIn(plan.cgroup.dirs[0].hostDir).length).toBeGreaterThan(3);
    process.kill(s.supervisorPid, 'SIGKILL');
    await waitFor(() => !processAlive(s.pid1), 10_000, 'PID 1 to die with its supervisor');
    await waitFor(() => pidsIn(plan.cgroup.dirs[0].hostDir).length === 0, 10_000, 'every machine process to be gone');
    const after = status('one');
    expect(after.state).toBe('crashed');
    expect(after.message).toMatch(/supervisor is gone/);
    ok(sb.burrow(['start', 'one']));
    expect(status('one').state).toBe('running');
    ok(sb.burrow(['stop', 'one']));
  });
});

describe('Debian 13 (systemd 257)', () => {
  it('boots on the unified cgroup presentation', () => {
    const plan = JSON.parse(ok(sb.burrow(['command', 'trixie', '--json'])));
    expect(plan.systemdVersion).toBeGreaterThanOrEqual(256);
    expect(plan.cgroup.presentation).toBe('unified');
    const r = sb.burrow(['start', 'trixie']);
    expect(r.code).toBe(0);
    expect(status('trixie').state).toBe('running');
    expect(ok(sb.burrow(['shell', 'trixie', '--', 'stat', '-fc', '%T', '/sys/fs/cgroup'])).trim()).toBe('cgroup2fs');
    expect(ok(sb.burrow(['shell', 'trixie', '--', 'systemctl', 'is-system-running'])).trim()).toBe('running');
    ok(sb.burrow(['stop', 'trixie']));
  });
});
