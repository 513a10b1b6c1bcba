// A machine's cgroups over its life, on the host side: made before PID 1 starts (with its limits), emptied
// and removed after. Two homes for the machine's cgroup, the same shape below it (see cgroup-plan.ts):
// - its own systemd unit (burrow-NAME.service): systemd made it, applies the limits (MemoryMax=…) and
//   removes it; the supervisor itself lives in its `supervisor` leaf;
// - elsewhere, a `burrow-NAME-ID` child of the user's delegated cgroup, which Burrow makes, limits and removes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXEC_CGROUP, type MachineCgroupDir } from './cgroup-plan';
import { cgroupPids, killCgroupTree, moveToCgroup, parseProcCgroup, removeCgroupTree, writeCgroupFreeze } from './cgroups';
import { applyLimits, type LimitsOutcome, type LimitWrite } from './resource-limits';

/** The leaf of a unit's cgroup that holds the supervisor (and bwrap, the network helper). */
export const SUPERVISOR_CGROUP = 'supervisor';

/** Where machine processes run: the payload and the exec leaf, never the machine cgroup itself. */
const processCgroups = (d: MachineCgroupDir): string[] => [d.payload, path.join(d.hostDir, EXEC_CGROUP)];

/** Ends every process of the machine (PID 1's tree and commands run in it), leaving the supervisor alone. */
export function killMachineProcesses(dirs: MachineCgroupDir[]): void {
  for (const d of dirs) for (const c of processCgroups(d)) if (fs.existsSync(c)) killCgroupTree(c);
}

/**
 * Hangs up the sessions opened into the machine (burrow shell, the window's shells and journals: the exec
 * leaf), as logind hangs up a session's scope at shutdown. An interactive shell ignores the SIGTERM that
 * systemd's last step sends to what is left, so one left open would hold the stop until its timeout.
 */
export function hangUpSessions(dirs: MachineCgroupDir[]): void {
  for (const d of dirs) {
    const leaf = path.join(d.hostDir, EXEC_CGROUP);
    // Frozen, a process cannot exit and free its pid between the read and the signal, so a pid read here
    // is still that process (where freezing is refused, cgroup v1, the window is a few microseconds).
    const frozen = setFrozen(leaf, true);
    try {
      for (const pid of cgroupPids(leaf)) {
        for (const sig of ['SIGCONT', 'SIGHUP'] as const) {
          try {
            process.kill(pid, sig);
          } catch {
            /* gone */
          }
        }
      }
    } finally {
      if (frozen) setFrozen(leaf, false);
    }
  }
}

function setFrozen(dir: string, frozen: boolean): boolean {
  try {
    writeCgroupFreeze(dir, frozen);
    return true;
  } catch {
    return false;
  }
}

/** What still runs in the machine (pid and command), for the line that says why a stop was forced. */
export function machineProcesses(dirs: MachineCgroupDir[], limit = 5): string[] {
  const found: string[] = [];
  for (const d of dirs) {
    for (const c of processCgroups(d)) {
      for (const pid of cgroupPids(c)) {
        if (found.length >= limit) return found;
        try {
          const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
          found.push(`${pid} ${args.slice(0, 80).replace(/[^\x20-\x7e]/g, '?')}`);
        } catch {
          /* gone */
        }
      }
    }
  }
  return found;
}

/** Removes what Burrow made; a unit's own cgroup is systemd's to remove. */
export function removeMachineCgroups(dirs: MachineCgroupDir[], ownsMachineDir: boolean): void {
  for (const d of dirs) {
    for (const c of processCgroups(d)) removeCgroupTree(c);
    if (ownsMachineDir) removeCgroupTree(d.hostDir);
  }
}

function readWords(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

/** Passes the controllers the machine's cgroup has on to its payload, so the systemd inside can use them. */
function passControllersOn(dir: string, wanted?: string[]): void {
  const available = readWords(path.join(dir, 'cgroup.controllers')).filter((c) => !wanted || wanted.includes(c));
  if (!available.length) return;
  try {
    fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), available.map((c) => `+${c}`).join(' '));
  } catch {
    /* the machine boots without them; its usage is then summed from its processes */
  }
}

/** The cgroup v2 directory this process runs in, as a host path. */
export function ownUnifiedCgroup(unifiedMount: string, procCgroup = '/proc/self/cgroup'): string | undefined {
  const rel = parseProcCgroup(fs.readFileSync(procCgroup, 'utf8')).get('unified');
  return rel === undefined ? undefined : path.join(unifiedMount, rel);
}

/**
 * In a unit: the supervisor moves into its own leaf (cgroup v2 lets only leaves hold processes once
 * controllers are passed on), and the unit's controllers go on to the machine.
 */
export function enterUnitCgroup(unitDir: string): void {
  const leaf = path.join(unitDir, SUPERVISOR_CGROUP);
  fs.mkdirSync(leaf, { recursive: true });
  moveToCgroup(leaf, process.pid);
  passControllersOn(unitDir);
}

/**
 * Makes the machine's cgroups before PID 1 starts. Outside a unit, limits are written to the machine's
 * cgroup (after enabling the controllers in the user's delegated one); in a unit, systemd has written
 * them already and they are read back, so what is reported is what the kernel holds.
 */
export function prepareMachineCgroups(dirs: MachineCgroupDir[], writes: LimitWrite[], inUnit: boolean): LimitsOutcome {
  killMachineProcesses(dirs);
  removeMachineCgroups(dirs, false);
  let outcome: LimitsOutcome = { applied: [] };
  for (const d of dirs) {
    fs.mkdirSync(d.hostDir, { recursive: true });
    if (d.hierarchy !== 'unified') continue;
    if (inUnit) outcome = readBackLimits(d.hostDir, writes);
    else if (writes.length) {
      outcome = applyLimits(d.hostDir, writes);
      passControllersOn(d.hostDir, [...new Set(writes.map((w) => w.controller))]);
    }
  }
  return outcome;
}

const PAGE = 4096;

/** The kernel keeps memory.max in whole pages, and systemd's CPUQuota= in hundredths of a percent. */
function sameLimit(w: LimitWrite, value: string): boolean {
  if (value === w.value) return true;
  if (w.file === 'memory.max') return Number(value) === Math.floor(Number(w.value) / PAGE) * PAGE;
  if (w.file === 'cpu.max') {
    const [quota, period] = value.split(' ').map(Number);
    const [wantQuota, wantPeriod] = w.value.split(' ').map(Number);
    return !!quota && !!period && Math.abs(quota / period - wantQuota! / wantPeriod!) <= 0.0001;
  }
  return false;
}

/** What systemd applied for the unit's MemoryMax=, TasksMax= and CPUQuota=, checked in the kernel's files. */
export function readBackLimits(dir: string, writes: LimitWrite[]): LimitsOutcome {
  const applied: string[] = [];
  for (const w of writes) {
    let value: string | undefined;
    try {
      value = fs.readFileSync(path.join(dir, w.file), 'utf8').trim();
    } catch {
      value = undefined;
    }
    if (value !== undefined && sameLimit(w, value)) applied.push(`${w.file}=${value}`);
    else if (w.file !== 'memory.swap.max') {
      return {
        applied,
        unavailable: `${w.file} is ${value ?? 'missing'}, not ${w.value}: your systemd user manager does not have the ${w.controller} controller`,
      };
    }
  }
  return { applied };
}

/**
 * In a unit, systemd chose the unit's cgroup and the plan predicted it (…/app.slice/burrow-NAME.service).
 * Should they differ (another slice configured), the plan follows the cgroup this process really is in.
 */
export function rebaseUnitCgroup<P extends { argv: string[]; mounts: { source?: string }[]; cgroup: { dirs: MachineCgroupDir[] } }>(
  plan: P,
  actual = ownUnifiedCgroup('/sys/fs/cgroup'),
): P {
  const predicted = plan.cgroup.dirs.find((d) => d.hierarchy === 'unified')?.hostDir;
  if (!predicted || !actual || predicted === actual) return plan;
  const swap = (s: string): string =>
    s === predicted || s.startsWith(predicted + '/') ? actual + s.slice(predicted.length) : s.split(predicted + '/').join(actual + '/');
  return {
    ...plan,
    argv: plan.argv.map(swap),
    mounts: plan.mounts.map((m) => (m.source ? { ...m, source: swap(m.source) } : m)),
    cgroup: { ...plan.cgroup, dirs: plan.cgroup.dirs.map((d) => ({ ...d, hostDir: swap(d.hostDir), payload: swap(d.payload) })) },
  };
}
