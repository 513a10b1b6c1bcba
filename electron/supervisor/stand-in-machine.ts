// For the supervisor's tests and benchmarks: a runtime folder holding a launch plan whose "machine" is a
// shell command on the supervisor's pty (no bwrap, no cgroups, no network), as a starter would write it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface StandIn {
  /** XDG_RUNTIME_DIR for the supervisor. */
  xdg: string;
  /** The machine's runtime folder. */
  dir: string;
  notifySocket: string;
  controlSocket: string;
}

/** Writes the plan of machine "fake" running `shell(dir)` (dir: its runtime folder) into a new private runtime folder. */
export function standInMachine(shell: (dir: string) => string, opts: { stopTimeoutSec?: number; single?: boolean } = {}): StandIn {
  const xdg = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-stand-in-'));
  fs.chmodSync(xdg, 0o700);
  const dir = path.join(xdg, 'burrow', 'fake');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(path.join(xdg, 'burrow'), 0o700);
  const hostDir = path.join(dir, 'host');
  const plan = {
    machine: 'fake',
    argv: ['/bin/sh', '-c', shell(dir)],
    bwrapIndex: 0,
    initArgv: [],
    mounts: [],
    cgroup: { presentation: 'unified', reason: '', hostLayout: 'unified', dirs: [] },
    idMapping: { mode: opts.single ? 'single' : 'auto', description: '' },
    network: { mode: 'isolated', ports: [] },
    limits: { requested: {}, writes: [] },
    storage: { mode: 'direct' },
    hostDir,
    notifySocket: path.join(hostDir, 'notify'),
    warnings: [],
  };
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({ plan, stopTimeoutSec: opts.stopTimeoutSec ?? 1 }));
  return { xdg, dir, notifySocket: plan.notifySocket, controlSocket: path.join(dir, 'control.sock') };
}
