// Getting into a running machine: nsenter into all of PID 1's namespaces, as the same unprivileged user,
// from inside the machine's own cgroups, so that what runs there counts against the machine's limits and
// goes with it when it stops.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { stateLabel } from '../contract/describe';
import { isEnterable } from '../contract/machine-state';
import { DEFAULT_PATH } from '../contract/plain';
import { EXEC_CGROUP } from './cgroup-plan';
import { cgroupPids, joinCgroupsShell, raiseOomScoreShell } from './cgroups';
import { cgroupFactsOf, isOwnMachineCgroup } from './own-cgroups';
import { BurrowError } from './errors';
import { readRecord, statusOf } from './runtime-state';
import { which } from './which';

export interface ExecTarget {
  pid1: number;
  /** Single-uid machines deny setgroups: nsenter must keep our credentials. */
  single: boolean;
  /** The machine's cgroup directories on the host; commands join a leaf under each. */
  cgroupDirs: string[];
}

export { EXEC_CGROUP } from './cgroup-plan';

/** The environment a command inside starts with (the host's is never passed in). */
export function guestEnv(term = 'xterm-256color'): NodeJS.ProcessEnv {
  return { PATH: DEFAULT_PATH, TERM: term, HOME: '/root', USER: 'root', LOGNAME: 'root', LANG: 'C.UTF-8', container: 'burrow' };
}

export function nsenterArgv(target: ExecTarget, command: string[], nsenterPath = 'nsenter'): string[] {
  const leaves = target.cgroupDirs.map((d) => `${d}/${EXEC_CGROUP}`);
  const join = leaves.length ? ['/bin/sh', '-c', `${joinCgroupsShell(leaves, true)}${raiseOomScoreShell()}exec "$@"`, 'burrow-exec'] : [];
  return [
    ...join,
    nsenterPath,
    '-t',
    String(target.pid1),
    '--user',
    '--mount',
    '--pid',
    '--uts',
    '--ipc',
    '--net',
    '--cgroup',
    '--root',
    '--wd',
    ...(target.single ? ['--preserve-credentials'] : []),
    '--',
    ...command,
  ];
}

/** Which machine: its name, and the id that names its cgroups (from its profile). */
export interface MachineRef {
  name: string;
  machineId: string;
}

/**
 * The running machine's PID 1, or a clear error when it is not running. What state.json names is
 * checked first: its cgroups must be the machine's own, and PID 1 must be in them (a planted record
 * must not send nsenter into another process, or our shell into another cgroup).
 */
export function execTarget(machine: MachineRef): ExecTarget {
  const { name } = machine;
  const status = statusOf(name);
  if (!isEnterable(status) || !status.pid1) {
    throw new BurrowError('not-running', `machine "${name}" is not running (${stateLabel(status)})`, `start it first: burrow start ${name}`);
  }
  const record = readRecord(name);
  const facts = cgroupFactsOf(record?.supervisorPid);
  const cgroupDirs = (record?.cgroupDirs ?? []).filter((d) => isOwnMachineCgroup(d, name, machine.machineId, facts));
  if (!cgroupDirs.some((d) => cgroupPids(d).includes(status.pid1!))) {
    const why = `its recorded PID 1 (${status.pid1}) is not in the machine's own cgroup`;
    throw new BurrowError('not-running', `machine "${name}" is not running: ${why}`, `start it again: burrow start ${name}`);
  }
  let single = false;
  try {
    single = fs.readFileSync(`/proc/${status.pid1}/uid_map`, 'utf8').trim().split('\n').length === 1;
  } catch {
    throw new BurrowError('not-running', `machine "${name}" is not running (its PID 1 is gone)`);
  }
  return { pid1: status.pid1, single, cgroupDirs };
}

function nsenterPath(): string {
  const p = which('nsenter');
  if (!p) throw new BurrowError('host-not-ready', 'nsenter is not installed', 'install util-linux');
  return p;
}

/** The login shell to offer: bash where the machine has it, else sh. */
export function loginShell(pid1: number): string[] {
  return fs.existsSync(`/proc/${pid1}/root/bin/bash`) ? ['/bin/bash', '-l'] : ['/bin/sh', '-l'];
}

/** Runs a command inside with the caller's terminal; resolves with its exit status. */
export function execInteractive(machine: MachineRef, command: string[]): Promise<number> {
  const target = execTarget(machine);
  const cmd = command.length ? command : loginShell(target.pid1);
  const argv = nsenterArgv(target, cmd, nsenterPath());
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env: guestEnv(process.env.TERM) });
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 1) : 1)));
    child.on('error', () => resolve(127));
  });
}

/** Runs a command inside and captures its output (systemctl queries, the live mount table). */
export function execCapture(target: ExecTarget, command: string[], timeoutMs = 10000): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = nsenterArgv(target, command, nsenterPath());
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { encoding: 'utf8', env: guestEnv('dumb'), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: stdout ?? '', stderr: stderr ?? '' });
    });
  });
}
