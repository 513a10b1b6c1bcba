// The baseline every boot and stop figure is measured against: the exact line `burrow command NAME`
// prints, run by hand on a pty, until READY=1 arrives on a socket the bench binds itself; and SIGRTMIN+3
// to its PID 1 until bwrap exits.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { removeCgroupTree } from '../electron/engine/cgroups';
import { ok, onPty, type Sandbox } from '../test/integration/harness';

const dgram = require('@burrow/unix-dgram') as typeof import('@burrow/unix-dgram');

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One row of a table: Burrow's figure, the baseline's, and their ratio. */
export const row = (label: string, burrow: number, floor: number) => ({
  label,
  burrow: +burrow.toFixed(1),
  floor: +floor.toFixed(1),
  ratio: +(burrow / floor).toFixed(2),
});

export async function handRun(sb: Sandbox, name: string): Promise<{ boot: number; stop: number }> {
  const line = ok(sb.burrow(['command', name]));
  const plan = JSON.parse(ok(sb.burrow(['command', name, '--json'])));
  fs.mkdirSync(plan.hostDir, { recursive: true, mode: 0o700 }); // private, as burrow insists
  fs.rmSync(plan.notifySocket, { force: true });
  let readyAt = 0;
  const sock = dgram.bind(plan.notifySocket, (m: Buffer) => m.toString().split('\n').includes('READY=1') && (readyAt ||= performance.now()));
  const t0 = performance.now();
  const run = onPty('/bin/sh', ['-c', line], sb.env);
  while (!readyAt) await sleep(2);
  const boot = readyAt - t0;
  const procs = (d: string): number[] => [
    ...fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number),
    ...fs
      .readdirSync(d, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => procs(path.join(d, e.name))),
  ];
  const pid1 = procs(plan.cgroup.dirs[0].hostDir).find((p) => /NSpid:.*\t1$/m.test(fs.readFileSync(`/proc/${p}/status`, 'utf8')))!;
  const s0 = performance.now();
  process.kill(pid1, 37);
  while (run.exitCode === undefined) await sleep(2);
  const stop = performance.now() - s0;
  sock.close();
  for (const d of plan.cgroup.dirs) for (let i = 0; i < 50 && !removeCgroupTree(d.hostDir); i++) await sleep(20);
  fs.rmSync(path.dirname(plan.hostDir), { recursive: true, force: true });
  return { boot, stop };
}
