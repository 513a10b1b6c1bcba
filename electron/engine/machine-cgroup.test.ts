// A machine's cgroups against a fake cgroup tree in a temporary folder: what is made, written and read
// back before PID 1 starts, and the plan following the cgroup systemd really chose.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MachineCgroupDir } from './cgroup-plan';
import { hangUpSessions, machineProcesses, prepareMachineCgroups, readBackLimits, rebaseUnitCgroup } from './machine-cgroup';
import { limitWrites } from './resource-limits';

let tmp = '';
afterEach(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

const dirOf = (hostDir: string): MachineCgroupDir => ({ hierarchy: 'unified', hostDir, payload: path.join(hostDir, 'payload') });

describe('machine cgroups outside a unit', () => {
  it("limit the machine's cgroup and pass the controllers on to its payload", () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-mcg-'));
    fs.writeFileSync(path.join(tmp, 'cgroup.subtree_control'), '');
    const machine = path.join(tmp, 'burrow-web-01234567');
    fs.mkdirSync(machine);
    fs.writeFileSync(path.join(machine, 'cgroup.controllers'), 'cpu memory pids io\n');
    const outcome = prepareMachineCgroups([dirOf(machine)], limitWrites({ memory: '64M', pids: 128 }), false);
    expect(outcome).toEqual({ applied: [`memory.max=${64 * 1024 ** 2}`, 'memory.swap.max=0', 'pids.max=128'] });
    expect(fs.readFileSync(path.join(tmp, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +pids');
    // Only what the limits need goes on: the guest's systemd then uses them in its own units.
    expect(fs.readFileSync(path.join(machine, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +pids');
  });
});

describe('machine cgroups in a unit', () => {
  it('report the limits systemd wrote as the kernel holds them, page-rounded memory and quota included', () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-mcg-'));
    const files: Record<string, string> = { 'memory.max': '1048576\n', 'memory.swap.max': '0\n', 'pids.max': '128\n', 'cpu.max': '33330 100000\n' };
    for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(tmp, f), v);
    expect(readBackLimits(tmp, limitWrites({ memory: '1025K', pids: 128, cpus: 0.3333 }))).toEqual({
      applied: ['memory.max=1048576', 'memory.swap.max=0', 'pids.max=128', 'cpu.max=33330 100000'],
    });
  });

  it('say which limit systemd did not apply, and why', () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-mcg-'));
    fs.writeFileSync(path.join(tmp, 'memory.max'), 'max\n');
    expect(readBackLimits(tmp, limitWrites({ memory: '64M', cpus: 1 })).unavailable).toMatch(
      /memory\.max is max, not 67108864: your systemd user manager does not have the memory controller/,
    );
    expect(readBackLimits(tmp, limitWrites({ cpus: 1 })).unavailable).toMatch(/cpu\.max is missing/);
  });

  it('follow the cgroup systemd chose where the plan guessed another', () => {
    const guessed = '/sys/fs/cgroup/user.slice/user-1001.slice/user@1001.service/app.slice/burrow-web.service';
    const actual = '/sys/fs/cgroup/user.slice/user-1001.slice/user@1001.service/machines.slice/burrow-web.service';
    const plan = {
      argv: ['/bin/sh', '-c', `for d in ${guessed}/payload; do x; done`, 'bwrap', '--bind', `${guessed}/payload`, '/sys/fs/cgroup'],
      mounts: [{ source: `${guessed}/payload` }, {}],
      cgroup: { dirs: [dirOf(guessed)] },
    };
    const moved = rebaseUnitCgroup(plan, actual);
    expect(moved.cgroup.dirs).toEqual([dirOf(actual)]);
    expect(moved.argv).toEqual(['/bin/sh', '-c', `for d in ${actual}/payload; do x; done`, 'bwrap', '--bind', `${actual}/payload`, '/sys/fs/cgroup']);
    expect(moved.mounts[0]!.source).toBe(`${actual}/payload`);
    expect(rebaseUnitCgroup(plan, guessed)).toBe(plan);
  });
});

describe('a stop and the sessions opened into the machine', () => {
  it('hangs up what runs in the exec leaf, as a closed terminal would, and names what still runs', async () => {
    const root = (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-cg-')));
    // A shell that ignores SIGTERM, as an interactive one does: only the hang-up ends it.
    const shell = spawn('/bin/sh', ['-c', 'trap "" TERM; sleep 30 & wait'], { stdio: 'ignore' });
    fs.mkdirSync(path.join(root, 'burrow-exec'));
    fs.mkdirSync(path.join(root, 'payload'));
    fs.writeFileSync(path.join(root, 'burrow-exec/cgroup.procs'), `${shell.pid}\n`);
    fs.writeFileSync(path.join(root, 'payload/cgroup.procs'), '');
    expect(machineProcesses([dirOf(root)])).toEqual([`${shell.pid} /bin/sh -c trap "" TERM; sleep 30 & wait`]);
    const ended = new Promise<NodeJS.Signals | null>((resolve) => shell.on('exit', (_code, signal) => resolve(signal)));
    hangUpSessions([dirOf(root)]);
    expect(await ended).toBe('SIGHUP');
  });
});
