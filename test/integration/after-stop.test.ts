// Nothing lost at stop: a machine's console and journal stay readable after it stops, after it crashes
// (its supervisor killed: nothing runs at its end), for a folder machine and for image-based ones (the
// journal read through the overlay, an ephemeral machine's kept before its changes are discarded).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asMappedRoot, BURROW, createSandbox, imageTar, ok, processAlive, waitFor, type Sandbox } from './harness';

let sb: Sandbox;
let rootfs: string;
beforeAll(() => {
  sb = createSandbox('after-stop');
  rootfs = sb.rootfs('debian12', 'web');
  // A tree without /var/log/journal, as many container exports are: journald would keep only /run's.
  asMappedRoot(['rm', '-rf', path.join(rootfs, 'var/log/journal')]);
  ok(sb.burrow(['create', 'web', '--rootfs', rootfs, '--network', 'isolated']));
});
afterAll(() => sb.cleanup());

const status = (name: string) => JSON.parse(ok(sb.burrow(['status', name, '--json'])));
const shell = (name: string, ...cmd: string[]) => ok(sb.burrow(['shell', name, '--', ...cmd]));
const logs = (name: string, ...args: string[]) => sb.burrow(['logs', name, ...args]);
/** A line in the machine's journal that only this test wrote. */
const mark = (name: string, text: string) => shell(name, 'logger', '-t', 'burrow-test', text);

describe('after a stop', () => {
  it('a machine whose tree had no /var/log/journal gets one at its first boot', async () => {
    ok(sb.burrow(['start', 'web']));
    await waitFor(() => sb.burrow(['shell', 'web', '--', 'test', '-d', '/var/log/journal']).code === 0, 20_000, '/var/log/journal inside');
    // journald moved this boot's journal there (journalctl --flush): it is on disk, not only in /run.
    await waitFor(() => /system\.journal/.test(sb.burrow(['shell', 'web', '--', 'ls', '-R', '/var/log/journal']).stdout), 20_000, 'system.journal on disk');
  });

  it('keeps the journal and the console readable, and says why it stopped', async () => {
    mark('web', 'marker-before-stop');
    await waitFor(() => logs('web', '-n', '50').stdout.includes('marker-before-stop'), 10_000, 'the marker in the journal');
    ok(sb.burrow(['stop', 'web']));
    expect(status('web')).toMatchObject({ state: 'exited', message: 'stopped on request' });
    expect(status('web').endedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const journal = logs('web', '-n', '500');
    expect(journal.code).toBe(0);
    expect(journal.stdout).toContain('marker-before-stop');
    expect(journal.stdout).toMatch(/Reached target .*Multi-User System/);
    // Filters work as on a running machine.
    expect(ok(sb.burrow(['logs', 'web', '-u', 'systemd-logind', '-n', '20']))).toMatch(/systemd-logind/);
    expect(sb.burrow(['logs', 'web', '-f']).stderr).toMatch(/is not running: there is nothing to follow/);

    const console = sb.burrow(['console', 'web']);
    expect(console.code).toBe(0);
    expect(console.stderr).toMatch(/web is not running \(stopped\); what its last boot printed on the console/);
    expect(console.stdout).toMatch(/Reached target .*Multi-User System/);
    expect(console.stdout).toContain('Halting system');
  });

  it('hangs up a session left open in the machine instead of waiting for it, and halts cleanly', async () => {
    ok(sb.burrow(['start', 'web']));
    // A command that ignores SIGTERM and has no terminal, as a shell left open by a closed window can be:
    // systemd's last step only sends it SIGTERM, and the stop used to wait for it until it was killed.
    const left = spawn(BURROW, ['shell', 'web', '--', 'sh', '-c', 'trap "" TERM; echo ready; sleep 600 & wait'], {
      env: sb.env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    await new Promise<void>((resolve) => left.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    const started = Date.now();
    ok(sb.burrow(['stop', 'web']));
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(status('web')).toMatchObject({ state: 'exited', message: 'stopped on request' });
    await waitFor(() => left.exitCode !== null || left.signalCode !== null, 5_000, 'the left session to end');
  });

  it('keeps both after a crash: its supervisor killed, nothing ran at the end', async () => {
    ok(sb.burrow(['start', 'web']));
    const { supervisorPid, pid1 } = status('web');
    mark('web', 'marker-before-crash');
    await waitFor(() => logs('web', '-n', '50').stdout.includes('marker-before-crash'), 10_000, 'the marker in the journal');
    process.kill(supervisorPid, 'SIGKILL');
    await waitFor(() => !processAlive(pid1), 10_000, 'PID 1 to die with its supervisor');
    expect(status('web')).toMatchObject({ state: 'crashed' });

    expect(ok(logs('web', '-n', '200'))).toContain('marker-before-crash');
    const console = sb.burrow(['console', 'web']);
    expect(console.stderr).toMatch(/web is not running \(crashed/);
    // This boot's console, not the last one's: it ends before any halt.
    expect(console.stdout).toMatch(/Reached target .*Multi-User System/);
    expect(console.stdout).not.toContain('Halting system');
  });

  it('never reads a journal the guest pointed elsewhere on the host', () => {
    // The guest's /var/log/journal replaced by a link to a real journal in a host folder of this user.
    const elsewhere = path.join(sb.root, 'elsewhere');
    asMappedRoot(['cp', '-a', path.join(rootfs, 'var/log/journal'), elsewhere]);
    asMappedRoot(['sh', '-c', `rm -rf "$1/var/log/journal" && ln -s "$2" "$1/var/log/journal"`, 'sh', rootfs, elsewhere]);
    expect(fs.readdirSync(elsewhere).length).toBeGreaterThan(0);
    const r = logs('web', '-n', '200');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Failed to open \/var\/log\/journal/); // the link leads nowhere inside the sandbox
    expect(r.stdout).not.toContain('marker-before-crash');
    expect(r.stdout).not.toContain('marker-before-stop');
  });
});

describe('image-based machines after a stop', () => {
  beforeAll(() => {
    ok(sb.burrow(['image', 'import', 'deb12', imageTar('debian12')], { timeoutMs: 600_000 }));
    ok(sb.burrow(['create', 'img', '--image', 'deb12', '--network', 'isolated']));
    ok(sb.burrow(['create', 'eph', '--image', 'deb12', '--ephemeral', '--network', 'isolated']));
  });

  it("read a persistent machine's journal through its overlay (its changes over its image)", () => {
    ok(sb.burrow(['start', 'img']));
    mark('img', 'marker-img');
    ok(sb.burrow(['stop', 'img']));
    expect(ok(logs('img', '-n', '200'))).toContain('marker-img');
  });

  it("keep an ephemeral machine's journal while its changes are discarded", () => {
    ok(sb.burrow(['start', 'eph']));
    mark('eph', 'marker-eph');
    shell('eph', 'touch', '/etc/changed-by-eph');
    ok(sb.burrow(['stop', 'eph']));
    const runtime = path.join(sb.env.XDG_RUNTIME_DIR!, 'burrow', 'eph');
    expect(fs.existsSync(path.join(runtime, 'overlay'))).toBe(false); // its changes are gone...
    expect(ok(logs('eph', '-n', '200'))).toContain('marker-eph'); // ...its journal is not
    expect(ok(sb.burrow(['console', 'eph']))).toMatch(/Reached target .*Multi-User System/);
  });
});
