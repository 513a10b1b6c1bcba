// A real supervisor (dist/supervisor.js) whose "machine" is a shell command on its pty, for measuring
// what hostile clients and guests cost it without booting anything.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { standInMachine } from '../electron/supervisor/stand-in-machine';

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
  const { xdg, dir, notifySocket, controlSocket } = standInMachine(() => shell);
  const child = spawn(process.execPath, [...nodeFlags, path.join(repo, 'dist/supervisor.js'), 'fake'], {
    env: { ...process.env, XDG_RUNTIME_DIR: xdg },
    stdio: 'inherit',
  });
  while (!fs.existsSync(controlSocket)) await sleep(10);
  const stat = () => {
    const text = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  };
  return {
    process: child,
    dir,
    notifySocket,
    controlSocket,
    cpuMs: () => ((Number(stat()[11]) + Number(stat()[12])) * 1000) / 100,
    rssMb: () => Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(xdg, { recursive: true, force: true });
    },
  };
}
