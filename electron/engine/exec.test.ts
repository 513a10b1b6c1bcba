import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXEC_CGROUP, nsenterArgv } from './exec';

const tmp: string[] = [];
afterEach(() => tmp.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('nsenterArgv', () => {
  it('enters every namespace of PID 1, keeping credentials for single-uid machines', () => {
    const argv = nsenterArgv({ pid1: 42, single: true, cgroupDirs: [] }, ['systemctl', 'status'], '/usr/bin/nsenter');
    expect(argv.slice(0, 3)).toEqual(['/usr/bin/nsenter', '-t', '42']);
    expect(argv).toEqual(expect.arrayContaining(['--user', '--mount', '--pid', '--net', '--cgroup', '--root', '--wd', '--preserve-credentials']));
    expect(argv.slice(-3)).toEqual(['--', 'systemctl', 'status']);
  });

  it('joins a leaf of each machine cgroup before nsenter runs, so the command counts against its limits', () => {
    // Stand-ins for the machine's cgroup directories: the join writes the process's pid to cgroup.procs.
    const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-exec-')));
    tmp.push(...dirs);
    const argv = nsenterArgv({ pid1: 42, single: false, cgroupDirs: dirs }, ['true'], '/bin/echo');
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('-t 42 --user --mount --pid --uts --ipc --net --cgroup --root --wd -- true');
    for (const d of dirs) expect(fs.readFileSync(path.join(d, EXEC_CGROUP, 'cgroup.procs'), 'utf8').trim()).toBe(String(r.pid));
  });
});
