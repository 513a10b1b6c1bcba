// Starting and stopping a machine: claim the start, clear what a dead supervisor left, hand the plan to a
// supervisor (a unit of the user's systemd, or a detached child) and wait until the machine is up or has
// failed; ask the supervisor to stop it and wait for the end.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stateLabel } from '../contract/describe';
import { isLive, isSettled, type MachineStatus } from '../contract/machine-state';
import type { MachineProfile } from '../contract/profile';
import { machineCgroupDir } from './cgroup-plan';
import { ControlClient } from './control-client';
import { BurrowError } from './errors';
import type { LaunchPlan } from './launch-plan-types';
import { killMachineProcesses, removeMachineCgroups } from './machine-cgroup';
import { unitName } from './machine-unit';
import { planMachine } from './machine-plan';
import { removeMappedTree } from './mapped-exec';
import { claimStart } from './start-claim';
import { wakeUserNetwork } from './user-network-client';
import { nodeScriptCommand } from './node-runtime';
import { cgroupFactsOf, existingMachineCgroups } from './own-cgroups';
import { loadProfile, requireMachine } from './profiles';
import { watchFolder } from './folder-watch';
import { ensureRuntimeRoot, existingRuntimeRoot } from './runtime-root';
import { takeSpareSupervisor } from './spare-supervisor';
import { isOurNetworkHelper, processStartTime, readRecord, runtimeFiles, statusOf, supervisorAlive } from './runtime-state';
import type { UserManagerFacts } from './user-manager';
import { enabledUnitFile, startUnit, unitFileDir, unitJournalTail, unitStatus } from './user-units';

export { claimStart } from './start-claim';

/**
 * Clears what a dead supervisor left: processes in the machine's cgroups, the cgroups, the runtime folder.
 * Nothing named by state.json is trusted for it: the network helper is signalled only if that pid is still
 * our pasta or slirp4netns, and the cgroups are the machine's own (computed, not read back), if any. A
 * machine that ran as a unit of the user's systemd left nothing: systemd ended and removed its cgroup.
 */
export function clearStale(name: string, machineId: string | undefined): void {
  if (!existingRuntimeRoot()) return;
  const record = readRecord(name);
  // A network helper outlives a supervisor that was killed: it would hold the forwarded ports.
  const helper = record?.networkHelperPid;
  if (helper && isOurNetworkHelper(helper, record.networkHelperStartTime)) {
    try {
      process.kill(helper, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  const dirs = machineId ? existingMachineCgroups(name, machineId, cgroupFactsOf()).map(machineCgroupDir) : [];
  killMachineProcesses(dirs);
  removeMachineCgroups(dirs, true);
  // An ephemeral overlay in the runtime folder holds files of subordinate ids.
  removeMappedTree(runtimeFiles(name).dir);
}

export interface StartOptions {
  cols?: number;
  rows?: number;
  /** Give up waiting (the machine keeps booting) after this long. */
  timeoutMs?: number;
  onStatus?: (status: MachineStatus) => void;
}

/**
 * Starts a machine and resolves once it is ready, has failed, or the wait timed out (state stays starting).
 * Where the user has a systemd manager, the supervisor runs as the unit burrow-NAME.service; elsewhere it
 * is a detached child of this process.
 */
export async function startMachine(name: string, opts: StartOptions = {}): Promise<MachineStatus> {
  const profile = loadProfile(name);
  const current = statusOf(name);
  if (isLive(current))
    throw new BurrowError(
      'already-running',
      `machine "${name}" is already ${current.state}`,
      `attach with: burrow console ${name}, or stop it with: burrow stop ${name}`,
    );
  const { plan, host } = planMachine(profile, { supervised: true });
  const manager = plan.cgroup.unit ? host.userManager?.facts : undefined;
  const deadline = Date.now() + (opts.timeoutMs ?? 120000);
  // A machine that starts at login has its unit file: systemd runs it, and it prepares itself (burrow unit-run).
  if (manager && enabledUnitFile(await unitFileDir(manager), profile)) {
    fs.rmSync(runtimeFiles(name).control, { force: true });
    await startUnit(manager, profile);
    await waitForSupervisor(name, deadline, { manager });
    return waitForSettled(name, deadline, opts.onStatus);
  }
  const claim = prepareStart(profile, plan, opts);
  // The network's holder, if it must start, starts beside the supervisor rather than after it.
  if (plan.network.userNetwork) void wakeUserNetwork(plan.network.userNetwork).catch(() => undefined);
  try {
    if (manager) {
      await startUnit(manager, profile);
      await waitForSupervisor(name, deadline, { manager });
    } else await waitForSupervisor(name, deadline, { child: spawnSupervisor(name) });
    return await waitForSettled(name, deadline, opts.onStatus);
  } finally {
    claim.dispose();
  }
}

/**
 * Everything before the supervisor runs: the start claim, what a dead supervisor left, the runtime folder
 * and the plan it reads. Returns the claim, held until the supervisor is up.
 */
export function prepareStart(profile: MachineProfile, plan: LaunchPlan, opts: Pick<StartOptions, 'cols' | 'rows'> = {}): { dispose(): void } {
  const name = profile.name;
  const root = ensureRuntimeRoot();
  const claim = claimStart(root, name);
  try {
    // Only the holder of the claim may clear what a dead supervisor left behind.
    const record = readRecord(name);
    if (record && supervisorAlive(record)) throw new BurrowError('already-running', `machine "${name}" is already ${statusOf(name).state}`);
    clearStale(name, profile.machineId);
    fs.mkdirSync(runtimeFiles(name).dir, { mode: 0o700 });
    // The profile goes along so that front ends can tell what was changed since this launch began (appliedProfile).
    fs.writeFileSync(runtimeFiles(name).plan, JSON.stringify({ plan, stopTimeoutSec: profile.stopTimeoutSec, cols: opts.cols, rows: opts.rows, profile }), {
      mode: 0o600,
    });
    return claim;
  } catch (e) {
    claim.dispose();
    throw e;
  }
}

/** The supervisor as a detached child of this process (hosts without a systemd user manager). */
function spawnSupervisor(name: string): { exited(): boolean } {
  const files = runtimeFiles(name);
  // A long-running host (the window, the web host) keeps one loaded ahead: only the boot remains.
  const spare = takeSpareSupervisor(name, files);
  if (spare) return spare;
  // The supervisor runs on our own runtime (node-runtime.ts): this Node, Electron in Node mode, or the AppImage.
  const cmd = nodeScriptCommand(path.join(__dirname, 'supervisor.js'), [name]);
  const log = fs.openSync(files.log, 'a', 0o600);
  const child = spawn(cmd.file, cmd.args, { detached: true, stdio: ['ignore', log, log], env: { ...process.env, ...cmd.env }, cwd: '/' });
  fs.closeSync(log);
  let exited = false;
  child.on('exit', () => (exited = true));
  child.unref();
  return { exited: () => exited };
}

/** Waits for the supervisor's control socket; fails with the reason when the supervisor (or its unit) ended first. */
async function waitForSupervisor(name: string, deadline: number, how: { child?: { exited(): boolean }; manager?: UserManagerFacts }): Promise<void> {
  const files = runtimeFiles(name);
  let nextUnitCheck = Date.now() + 200;
  const changes = changesIn(files.dir);
  try {
    while (!fs.existsSync(files.control)) {
      if (how.child?.exited()) throw supervisorFailed(name);
      if (how.manager && Date.now() >= nextUnitCheck) {
        nextUnitCheck = Date.now() + 200;
        const unit = await unitStatus(how.manager, name);
        if (['failed', 'inactive'].includes(unit.active) && !fs.existsSync(files.control)) throw supervisorFailed(name, await unitJournalTail(name));
      }
      if (Date.now() > deadline) {
        const where = how.manager ? `see: journalctl --user -u ${unitName(name)}` : `see ${files.log}`;
        throw new BurrowError('start-failed', `the supervisor of "${name}" did not come up`, where);
      }
      await changes.next();
    }
  } finally {
    changes.dispose();
  }
}

/**
 * Wakes at the next change in DIR (inotify: the control socket appearing, without a poll's delay), and
 * at least every 50 ms (a supervisor that died, a unit that failed); folder-watch.ts looks every 10 ms
 * where DIR cannot be watched (a unit prepares it itself).
 */
function changesIn(dir: string): { next(): Promise<void>; dispose(): void } {
  let wake: (() => void) | undefined;
  const watch = watchFolder(dir, () => wake?.(), { fallbackMs: 10 });
  return {
    next: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => wake?.(), 50);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      }),
    dispose: () => watch.dispose(),
  };
}

function supervisorFailed(name: string, journal = ''): BurrowError {
  let log = journal;
  try {
    log ||= fs.readFileSync(runtimeFiles(name).log, 'utf8').trim().split('\n').slice(-3).join('\n');
  } catch {
    /* no log */
  }
  return new BurrowError('start-failed', `the supervisor of "${name}" exited before the machine started${log ? `:\n${log}` : ''}`);
}

async function waitForSettled(name: string, deadline: number, onStatus?: (s: MachineStatus) => void): Promise<MachineStatus> {
  let last: MachineStatus = statusOf(name);
  await new Promise<void>((resolve) => {
    let client: ControlClient | undefined;
    const timer = setTimeout(() => finish(), Math.max(0, deadline - Date.now()));
    const finish = (): void => {
      clearTimeout(timer);
      client?.close();
      resolve();
    };
    ControlClient.connect(name, {
      onStatus: (s) => {
        last = s;
        onStatus?.(s);
        if (isSettled(s)) finish();
      },
      onClose: () => {
        last = statusOf(name);
        finish();
      },
    }).then(
      (c) => (client = c),
      () => {
        last = statusOf(name);
        finish();
      },
    );
  });
  return last;
}

/** Asks the supervisor to stop (SIGRTMIN+3 to PID 1, SIGKILL after the timeout) or kill, and waits for the end. */
export async function stopMachine(name: string, how: 'stop' | 'kill' = 'stop'): Promise<MachineStatus> {
  // Only the runtime state matters here: the profile need not be read (nor validated) to stop a machine.
  requireMachine(name);
  const status = statusOf(name);
  if (!isLive(status)) throw new BurrowError('not-running', `machine "${name}" is not running (${stateLabel(status)})`);
  let last = status;
  await new Promise<void>((resolve, reject) => {
    ControlClient.connect(name, {
      onStatus: (s) => (last = s),
      onError: (message) => reject(new BurrowError('in-use', `the supervisor of "${name}" refused to ${how} it: ${message}`, 'try again in a moment')),
      onClose: () => resolve(),
    }).then((c) => c.send({ op: how }), reject);
  });
  // The supervisor writes its final record, then exits: wait for both, so callers see the end state.
  const deadline = Date.now() + 5000;
  while (status.supervisorPid && processStartTime(status.supervisorPid) !== undefined && Date.now() < deadline) await sleep(5);
  const final = statusOf(name);
  return final.state === 'stopped' ? last : final;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
