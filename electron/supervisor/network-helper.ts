// Runs the machine's user-mode network helper (pasta, or slirp4netns) against PID 1's namespaces and
// resolves once the namespace is configured and every port forward is bound; rejects with a sentence a
// person can act on (a host port already in use, a helper that died).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { PortForward } from '../contract/profile';
import type { LaunchPlan } from '../engine/launch-plan-types';
import { describePort } from '../contract/describe';
import { PID_PLACEHOLDER } from '../engine/network-plan';
import { readFifo } from './fifo-reader';

type Helper = NonNullable<LaunchPlan['network']['helper']>;

export interface RunningHelper {
  pid: number;
  dispose(): void;
}

const READY_TIMEOUT_MS = 15000;

function lastLines(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l && !/syslog/.test(l))
    .slice(-2)
    .join('; ');
}

function pastaFailure(stderr: string, ports: PortForward[]): string {
  const bind = /for '-([tu]) ([^']+)'/.exec(stderr);
  if (bind) {
    const hostPort = Number(/\/(\d+):/.exec(bind[2]!)?.[1]);
    const p = ports.find((x) => x.host === hostPort && x.protocol === (bind[1] === 't' ? 'tcp' : 'udp'));
    const what = `host port ${p ? describePort(p) : bind[2]} cannot be bound: another program already uses it.`;
    return `${what} Choose another host port (burrow edit NAME -p OTHER:GUEST) or stop that program.`;
  }
  if (/External interface not usable|No external routable interface/.test(stderr)) {
    return (
      'the network helper pasta cannot start without a network connection on the host (no default route). ' +
      'Connect, install slirp4netns (nat machines use it offline), or start the machine with --network isolated.'
    );
  }
  return `the network helper pasta failed: ${lastLines(stderr) || 'it exited without saying why'}`;
}

function stopChild(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

function startPasta(helper: Helper, pid1: number, ports: PortForward[], pidFile: string): Promise<RunningHelper> {
  const argv = helper.argv.map((a) => a.replaceAll(PID_PLACEHOLDER, String(pid1)));
  return new Promise((resolve, reject) => {
    // pasta writes its pid file once the namespace is configured and every forward is bound: the file is a
    // FIFO the supervisor reads, so the pid arrives as data when pasta writes it (it used to be looked for
    // every 5 ms). Then it is a plain pid file again, as pasta would have left it.
    let written: string | undefined;
    const pid = readFifo(pidFile, (text) => {
      if (!text.includes('\n')) return false;
      written = text;
      settle(() => resolve({ pid: child.pid!, dispose: () => stopChild(child) }));
      return true;
    });
    const child = spawn(argv[0]!, [...argv.slice(1), '--pid', pidFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4096)));
    const timer = setTimeout(() => {
      stopChild(child);
      settle(() => reject(new Error(`the network helper pasta did not get ready within ${READY_TIMEOUT_MS / 1000} s`)));
    }, READY_TIMEOUT_MS);
    let settled = false;
    const settle = (how: () => void) => {
      if (settled) return;
      settled = true;
      pid.dispose();
      clearTimeout(timer);
      if (written !== undefined) fs.writeFileSync(pidFile, written, { mode: 0o600 });
      how();
    };
    child.on('error', (e) => settle(() => reject(new Error(`the network helper pasta could not run: ${e.message}`))));
    child.on('exit', () => settle(() => reject(new Error(pastaFailure(stderr, ports)))));
  });
}

function slirpRequest(socket: string, body: object): Promise<{ return?: unknown; error?: { desc?: string } }> {
  return new Promise((resolve, reject) => {
    const c = net.connect(socket);
    let out = '';
    c.on('connect', () => c.end(JSON.stringify(body)));
    c.on('data', (d) => (out += d.toString()));
    c.on('end', () => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`slirp4netns answered ${JSON.stringify(out)}`));
      }
    });
    c.on('error', reject);
  });
}

async function startSlirp(helper: Helper, pid1: number, ports: PortForward[]): Promise<RunningHelper> {
  const argv = helper.argv.map((a) => a.replaceAll(PID_PLACEHOLDER, String(pid1)));
  // fd 3: it writes "1" when ready. fd 4: it exits when this end closes (the supervisor died).
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4096)));
  const running: RunningHelper = { pid: child.pid ?? 0, dispose: () => stopChild(child) };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`slirp4netns did not get ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    (child.stdio[3] as NodeJS.ReadableStream).once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.on('error', (e) => reject(new Error(`slirp4netns could not run: ${e.message}`)));
    child.on('exit', () => reject(new Error(`slirp4netns failed: ${lastLines(stderr) || 'it exited without saying why'}`)));
  }).catch((e) => {
    running.dispose();
    throw e;
  });
  for (const p of ports) {
    const r = await slirpRequest(helper.apiSocket!, {
      execute: 'add_hostfwd',
      arguments: { proto: p.protocol, host_addr: p.address === 'all' ? '0.0.0.0' : '127.0.0.1', host_port: p.host, guest_port: p.guest },
    });
    if (r.error) {
      running.dispose();
      throw new Error(
        `host port ${describePort(p)} cannot be bound (${r.error.desc ?? 'slirp4netns refused it'}): choose another host port or stop the program using it.`,
      );
    }
  }
  return running;
}

export function startNetworkHelper(helper: Helper, pid1: number, ports: PortForward[], runtimeDir: string): Promise<RunningHelper> {
  return helper.tool === 'pasta' ? startPasta(helper, pid1, ports, `${runtimeDir}/pasta.pid`) : startSlirp(helper, pid1, ports);
}
