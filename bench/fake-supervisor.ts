// A real supervisor (dist/supervisor.js) whose "machine" is a shell command on its pty, for measuring
// what hostile clients and guests cost it without booting anything.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface FakeSupervisor {
  process: ChildProcess;
  dir: string;
  notifySocket: string;
  controlSocket: string;
  /** User plus system CPU time so far, in ms. */
  cpuMs(): number;
  rssMb(): number;
  stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeSupervisor(repo: string, shell: string, nodeFlags: string[] = []): Promise<FakeSupervisor> {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-bench-'));
  const dir = path.join(run, 'burrow', 'fake');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(path.join(run, 'burrow'), 0o700);
  const hostDir = path.join(dir, 'host');
  const plan = {
    machine: 'fake',
    argv: ['/bin/sh', '-c', shell],
    bwrapIndex: 0,
    initArgv: [],
    mounts: [],
    cgroup: { presentation: 'unified', reason: '', hostLayout: 'unified', dirs: [] },
    idMapping: { mode: 'auto', description: '' },
    network: { mode: 'isolated', ports: [] },
    limits: { requested: {}, writes: [] },
    storage: { mode: 'direct' },
    hostDir,
    notifySocket: path.join(hostDir, 'notify'),
    warnings: [],
  };
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({ plan, stopTimeoutSec: 1 }));
  const child = spawn(process.execPath, [...nodeFlags, path.join(repo, 'dist/supervisor.js'), 'fake'], { env: { ...process.env, XDG_RUNTIME_DIR: run }, stdio: 'inherit' });
  const controlSocket = path.join(dir, 'control.sock');
  while (!fs.existsSync(controlSocket)) await sleep(10);
  const stat = () => {
    const text = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  };
  return {
    process: child,
    dir,
    notifySocket: plan.notifySocket,
    controlSocket,
    cpuMs: () => ((Number(stat()[11]) + Number(stat()[12])) * 1000) / 100,
    rssMb: () => Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(run, { recursive: true, force: true });
    },
  };
}
