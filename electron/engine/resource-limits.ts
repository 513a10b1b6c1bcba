// Resource limits and live usage of a machine, through its own cgroup v2 directory.
//
// Limits need the host to delegate the controllers (memory, pids, cpu) to the user's cgroup: they are then
// enabled in its cgroup.subtree_control and written to the machine's `burrow-NAME` child before PID 1
// starts. Where the host delegates none (a hybrid host, or a cgroup that also holds processes), the machine
// boots without them and every front end says why.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MachineUsage } from '../contract/machine-state';
import { parseByteSize } from '../contract/plain';
import type { Limits } from '../contract/profile';
import type { CgroupFacts } from './cgroups';
import { cgroupPids } from './cgroups';

export type Controller = 'memory' | 'pids' | 'cpu';
export interface LimitWrite {
  controller: Controller;
  file: string;
  value: string;
}

/** cpu.max period in microseconds (the kernel's default). */
const CPU_PERIOD = 100000;

export function limitWrites(limits: Limits): LimitWrite[] {
  const writes: LimitWrite[] = [];
  if (limits.memory) {
    writes.push({ controller: 'memory', file: 'memory.max', value: String(parseByteSize(limits.memory)) });
    // No swap beyond the limit: otherwise a runaway machine swaps instead of meeting the OOM killer.
    writes.push({ controller: 'memory', file: 'memory.swap.max', value: '0' });
  }
  if (limits.pids) writes.push({ controller: 'pids', file: 'pids.max', value: String(limits.pids) });
  if (limits.cpus) writes.push({ controller: 'cpu', file: 'cpu.max', value: `${Math.round(limits.cpus * CPU_PERIOD)} ${CPU_PERIOD}` });
  return writes;
}

/** Why limits cannot be applied on this host, judged from the probe alone; undefined when they can. */
export function limitsUnavailable(facts: CgroupFacts, needed: Controller[]): string | undefined {
  if (!needed.length) return undefined;
  if (!facts.unified) return 'the host has no cgroup v2 hierarchy';
  const missing = needed.filter((c) => !facts.unified!.controllers.includes(c));
  if (!missing.length) return undefined;
  if (!facts.unified.controllers.length) {
    return facts.layout === 'hybrid'
      ? 'this host runs cgroup v1 controllers (hybrid layout), so none is delegated to your cgroup v2 subtree'
      : `no controller is delegated to your cgroup ${facts.unified.dir}`;
  }
  return `the ${missing.join(', ')} controller${missing.length > 1 ? 's are' : ' is'} not delegated to your cgroup ${facts.unified.dir}`;
}

/** The leaf that holds the delegated cgroup's own processes once controllers are passed on. */
export const HOST_LEAF = 'burrow-host';

function moveProcessesToLeaf(parent: string, leaf: string): void {
  fs.mkdirSync(leaf, { recursive: true });
  for (const line of fs.readFileSync(path.join(parent, 'cgroup.procs'), 'utf8').split('\n')) {
    if (!line) continue;
    try {
      fs.writeFileSync(path.join(leaf, 'cgroup.procs'), line);
    } catch {
      /* exited meanwhile */
    }
  }
}

export interface LimitsOutcome {
  applied: string[];
  /** Set when some limit could not be written: why, in words. */
  unavailable?: string;
}

/**
 * Creates the machine's cgroup and writes its limits. The parent must let the controllers through
 * (cgroup.subtree_control), which the kernel refuses while the parent itself holds processes.
 */
export function applyLimits(machineDir: string, writes: LimitWrite[]): LimitsOutcome {
  fs.mkdirSync(machineDir, { recursive: true });
  if (!writes.length) return { applied: [] };
  const parent = path.dirname(machineDir);
  const controllers = [...new Set(writes.map((w) => w.controller))];
  const enable = () => fs.writeFileSync(path.join(parent, 'cgroup.subtree_control'), controllers.map((c) => `+${c}`).join(' '));
  try {
    try {
      enable();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EBUSY') throw e;
      // cgroup v2 passes controllers on only from a cgroup without processes of its own: move the ones
      // in the user's delegated cgroup (Burrow, its supervisors, the shell that started them) into a
      // leaf beside the machines, as systemd's delegation rules intend, and try again.
      moveProcessesToLeaf(parent, path.join(parent, HOST_LEAF));
      enable();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EBUSY' || code === 'EOPNOTSUPP'
        ? `your cgroup ${parent} holds processes itself, so it cannot pass controllers on ` +
          '(start Burrow from its own scope: systemd-run --user --scope -p Delegate=yes)'
        : code === 'ENOENT' || code === 'EINVAL'
          ? `the ${controllers.join(', ')} controllers are not available in ${parent}`
          : `${parent}/cgroup.subtree_control cannot be written (${code})`;
    return { applied: [], unavailable: why };
  }
  const applied: string[] = [];
  for (const w of writes) {
    try {
      fs.writeFileSync(path.join(machineDir, w.file), w.value);
      applied.push(`${w.file}=${w.value}`);
    } catch (e) {
      // memory.swap.max is missing where swap accounting is off: the memory limit still holds.
      if (w.file === 'memory.swap.max') continue;
      return { applied, unavailable: `${w.file} could not be written (${(e as NodeJS.ErrnoException).code})` };
    }
  }
  return { applied };
}

export type Usage = MachineUsage;

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

const numberOrUndefined = (s: string | undefined): number | undefined => (s === undefined || s === 'max' || !/^\d+$/.test(s) ? undefined : Number(s));

const PAGE_SIZE = 4096;
const TICKS_PER_SECOND = 100;

/** Usage from /proc for hosts without controllers: every process in the machine's cgroup tree. */
function processUsage(dir: string): Usage {
  let memory = 0;
  let threads = 0;
  let ticks = 0;
  for (const pid of cgroupPids(dir)) {
    const statm = readText(`/proc/${pid}/statm`);
    const stat = readText(`/proc/${pid}/stat`);
    if (!statm || !stat) continue;
    memory += Number(statm.split(' ')[1]) * PAGE_SIZE;
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15, threads 20.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]);
    threads += Number(f[17]);
  }
  return { source: 'processes', memoryBytes: memory, pids: threads, cpuUsec: Math.round((ticks / TICKS_PER_SECOND) * 1e6) };
}

/** Live usage of a machine from its cgroup v2 directory (kernel accounting), else from its processes. */
export function readUsage(unifiedDir: string | undefined, anyDir: string | undefined): Usage | undefined {
  if (unifiedDir && readText(path.join(unifiedDir, 'memory.current')) !== undefined) {
    const cpu = /usage_usec (\d+)/.exec(readText(path.join(unifiedDir, 'cpu.stat')) ?? '');
    const cpuMax = readText(path.join(unifiedDir, 'cpu.max'))?.split(' ');
    return {
      source: 'cgroup',
      memoryBytes: numberOrUndefined(readText(path.join(unifiedDir, 'memory.current'))),
      memoryMaxBytes: numberOrUndefined(readText(path.join(unifiedDir, 'memory.max'))),
      pids: numberOrUndefined(readText(path.join(unifiedDir, 'pids.current'))),
      pidsMax: numberOrUndefined(readText(path.join(unifiedDir, 'pids.max'))),
      cpuUsec: cpu ? Number(cpu[1]) : undefined,
      cpuMax: cpuMax && cpuMax[0] !== 'max' ? Number(cpuMax[0]) / Number(cpuMax[1]) : undefined,
    };
  }
  const dir = unifiedDir ?? anyDir;
  return dir && fs.existsSync(dir) ? processUsage(dir) : undefined;
}
