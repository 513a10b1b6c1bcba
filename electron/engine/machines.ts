// Machines as the front ends see them: create, plan, start (spawn a supervisor and wait for ready),
// stop, kill, list, remove. The CLI, the Electron main process and the web host all call these.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LIVE_STATES, type MachineStatus } from '../contract/machine-state';
import { defaultProfile, type MachineProfile } from '../contract/profile';
import { machineCgroupDir } from './cgroup-plan';
import { cgroupFactsOf, existingMachineCgroups, isOwnMachineCgroup } from './own-cgroups';
import { ControlClient } from './control-client';
import { BurrowError } from './errors';
import { probeHost, type HostFacts } from './host-probe';
import { buildLaunchPlan, resolveIdMap, type LaunchPlan } from './launch-plan';
import { nodeScriptCommand } from './node-runtime';
import { machineRuntimeDir } from './paths';
import { createProfile, exists, listProfiles, loadProfile, removeProfile, saveProfile, validateProfile, type BrokenProfile } from './profiles';
import { removeMappedTree } from './mapped-exec';
import { discardOverlay, overlayPaths, persistentOverlayDir } from './overlay';
import { readConsoleLog } from './console-log';
import { killMachineProcesses, removeMachineCgroups } from './machine-cgroup';
import { unitName } from './machine-unit';
import { takeSpareSupervisor } from './spare-supervisor';
import { readUsage, type Usage } from './resource-limits';
import { validateRootfs, type RootfsInfo } from './rootfs';
import { ensureRuntimeRoot, existingRuntimeRoot } from './runtime-root';
import { isOurNetworkHelper, processStartTime, readRecord, runtimeFiles, statusOf, supervisorAlive } from './runtime-state';
import type { UserManagerFacts } from './user-manager';
import { disableUnit, enabledUnitFile, startUnit, unitFileDir, unitJournalTail, unitStatus, writeUnitFile } from './user-units';

export interface PlanResult {
  plan: LaunchPlan;
  rootfs: RootfsInfo;
  host: HostFacts;
}

/** Validates the rootfs against the profile and builds the plan; throws a BurrowError a person can act on. */
export function planMachine(profile: MachineProfile, opts: { supervised?: boolean; host?: HostFacts } = {}): PlanResult {
  const host = opts.host ?? probeHost();
  const { map } = resolveIdMap(profile.idMapping, host);
  const rootfs = validateRootfs(profile.rootfs, map, profile.init);
  const runtimeDir = machineRuntimeDir(profile.name);
  const overlay = overlayPaths(profile.name, profile.storage, profile.rootfs);
  const plan = buildLaunchPlan({ profile, host, rootfs, runtimeDir, infoPath: opts.supervised ? runtimeFiles(profile.name).info : undefined, overlay, realpath: realpathOrUndefined });
  return { plan, rootfs, host };
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

export const newMachineId = (): string => randomBytes(16).toString('hex');

/** Creates a machine: the profile is checked (and its rootfs validated) before anything is written. */
export function createMachine(name: string, rootfs: string, customize: (p: MachineProfile) => MachineProfile = (p) => p): { profile: MachineProfile; plan: LaunchPlan } {
  if (exists(name)) throw new BurrowError('exists', `a machine named "${name}" already exists`, `choose another name, or remove it first with: burrow rm ${name}`);
  const profile = validateProfile(customize(defaultProfile({ name, rootfs: path.resolve(rootfs), machineId: newMachineId() })));
  const { plan } = planMachine(profile);
  createProfile(profile);
  return { profile, plan };
}

/**
 * Changes a machine's profile: checked like a new one, written atomically; a live machine needs a restart
 * to see it. The unit file of a machine that starts at login is rewritten to match.
 */
export async function editMachine(name: string, change: (p: MachineProfile) => MachineProfile): Promise<{ profile: MachineProfile; plan: LaunchPlan; restartNeeded: boolean }> {
  const before = loadProfile(name);
  const profile = validateProfile(change(before));
  if (profile.name !== name) throw new BurrowError('invalid-input', 'a machine cannot be renamed by editing it', 'create a new machine from the same rootfs instead');
  const { plan, host } = planMachine(profile);
  const manager = host.userManager?.facts;
  const enabled = manager && enabledUnitFile(await unitFileDir(manager), before);
  saveProfile(profile);
  if (manager && enabled) await writeUnitFile(manager, profile);
  return { profile, plan, restartNeeded: isLive(statusOf(name)) };
}

/** Live resource usage of a running machine (undefined when it is not running). */
export function machineUsage(name: string): Usage | undefined {
  const record = readRecord(name);
  if (!record || !isLive(statusOf(name))) return undefined;
  // Only the machine's own cgroups are read, whatever the record names.
  const { machineId } = loadProfile(name);
  const facts = cgroupFactsOf(record.supervisorPid);
  const own = (dir: string | undefined) => (isOwnMachineCgroup(dir, name, machineId, facts) ? dir : undefined);
  const dirs = (record.cgroupDirs ?? []).filter((d) => own(d));
  if (!dirs.length) return undefined;
  return readUsage(own(record.unifiedCgroupDir), dirs[0]);
}

export interface MachineSummary {
  profile: MachineProfile;
  status: MachineStatus;
}

export function listMachines(): { machines: MachineSummary[]; broken: BrokenProfile[] } {
  const { profiles, broken } = listProfiles();
  return { machines: profiles.map((profile) => ({ profile, status: statusOf(profile.name) })), broken };
}

function isLive(status: MachineStatus): boolean {
  return LIVE_STATES.includes(status.state);
}

/**
 * Clears what a dead supervisor left: processes in the machine's cgroups, the cgroups, the runtime folder.
 * Nothing named by state.json is trusted for it: the network helper is signalled only if that pid is still
 * our pasta or slirp4netns, and the cgroups are the machine's own (computed, not read back), if any. A
 * machine that ran as a unit of the user's systemd left nothing: systemd ended and removed its cgroup.
 */
function clearStale(name: string, machineId: string | undefined): void {
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
  if (isLive(current)) throw new BurrowError('already-running', `machine "${name}" is already ${current.state}`, `attach with: burrow console ${name}, or stop it with: burrow stop ${name}`);
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
    fs.writeFileSync(runtimeFiles(name).plan, JSON.stringify({ plan, stopTimeoutSec: profile.stopTimeoutSec, cols: opts.cols, rows: opts.rows }), { mode: 0o600 });
    return claim;
  } catch (e) {
    claim.dispose();
    throw e;
  }
}

/**
 * A start claim: `NAME.starting` created exclusively in the runtime root, holding our pid. A second
 * starter is refused while we live; a claim whose owner died is taken over.
 */
function claimStart(root: string, name: string): { dispose(): void } {
  const file = path.join(root, `${name}.starting`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid} ${processStartTime(process.pid)}`, { flag: 'wx', mode: 0o600 });
      return { dispose: () => fs.rmSync(file, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const [pid, start] = fs.readFileSync(file, 'utf8').split(' ').map(Number);
      if (pid && processStartTime(pid) === start) throw new BurrowError('already-running', `machine "${name}" is being started by another process (pid ${pid})`);
      fs.rmSync(file, { force: true });
    }
  }
  throw new BurrowError('already-running', `machine "${name}" is being started by another process`);
}

/** The supervisor as a detached child of this process (hosts without a systemd user manager): the spare one if there is one. */
function spawnSupervisor(name: string): { exited(): boolean } {
  const files = runtimeFiles(name);
  const spare = takeSpareSupervisor(name, files.log);
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
  while (!fs.existsSync(files.control)) {
    if (how.child?.exited()) throw supervisorFailed(name);
    if (how.manager && Date.now() >= nextUnitCheck) {
      nextUnitCheck = Date.now() + 200;
      const unit = await unitStatus(how.manager, name);
      if (['failed', 'inactive'].includes(unit.active) && !fs.existsSync(files.control)) throw supervisorFailed(name, await unitJournalTail(name));
    }
    if (Date.now() > deadline) throw new BurrowError('start-failed', `the supervisor of "${name}" did not come up`, how.manager ? `see: journalctl --user -u ${unitName(name)}` : `see ${files.log}`);
    await sleep(10);
  }
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

const SETTLED = ['running', 'degraded', 'exited', 'crashed'];

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
        if (SETTLED.includes(s.state)) finish();
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

/** The last lines the console printed (kept after the machine ended). */
export function consoleTail(name: string, lines = 15): string {
  try {
    const text = readConsoleLog(runtimeFiles(name).consoleTail, 64 * 1024).toString('utf8');
    return text.split(/\r?\n/).slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Asks the supervisor to stop (SIGRTMIN+3 to PID 1, SIGKILL after the timeout) or kill, and waits for the end. */
export async function stopMachine(name: string, how: 'stop' | 'kill' = 'stop'): Promise<MachineStatus> {
  loadProfile(name);
  const status = statusOf(name);
  if (!isLive(status)) throw new BurrowError('not-running', `machine "${name}" is not running (${status.state})`);
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

export async function removeMachine(name: string): Promise<void> {
  const profile = loadProfileOrBroken(name);
  const status = statusOf(name);
  if (isLive(status)) throw new BurrowError('already-running', `machine "${name}" is ${status.state}`, `stop it first: burrow stop ${name}`);
  const manager = profile && probeHost().userManager?.facts;
  if (manager && profile) await disableUnit(manager, profile);
  removeProfile(name);
  clearStale(name, profile?.machineId);
  discardOverlay(persistentOverlayDir(name));
}

/** Throws away what a machine changed on top of its image (persistent storage); the image is untouched. */
export function resetMachine(name: string): { discarded: boolean } {
  const profile = loadProfile(name);
  const status = statusOf(name);
  if (isLive(status)) throw new BurrowError('already-running', `machine "${name}" is ${status.state}`, `stop it first: burrow stop ${name}`);
  if (profile.storage !== 'persistent') throw new BurrowError('invalid-input', `machine "${name}" writes ${profile.storage === 'direct' ? 'straight into its rootfs' : 'into a throw-away overlay'}: there is nothing to reset`, profile.storage === 'direct' ? `to keep an image pristine, use an overlay: burrow edit ${name} --persistent` : undefined);
  const dir = persistentOverlayDir(name);
  const discarded = fs.existsSync(dir);
  discardOverlay(dir);
  return { discarded };
}

/** rm must work on a corrupt profile too: that is how a user gets rid of one. */
function loadProfileOrBroken(name: string): MachineProfile | undefined {
  try {
    return loadProfile(name);
  } catch (e) {
    if (e instanceof BurrowError && e.code === 'corrupt-profile') return undefined;
    throw e;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
