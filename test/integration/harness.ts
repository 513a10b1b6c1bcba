// Integration harness: runs the real `burrow` CLI as this (unprivileged) user against real images, in a
// private XDG config and runtime folder per test file, and removes everything it made.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { isLive, type MachineState } from '../../electron/contract/machine-state';
import { buildIdMap } from '../../electron/engine/idmap';
import { userNamespacePrefix } from '../../electron/engine/userns';

export const REPO = path.resolve(__dirname, '../..');
export const BURROW = path.join(REPO, 'bin/burrow');

export function imagesDir(): string {
  const dir = process.env.BURROW_TEST_IMAGES ?? path.join(os.homedir(), '.cache/burrow-test');
  return dir;
}

/** The cached test images (scripts/build-test-images.sh): debian12 with apache2, debian12-ssh with openssh-server, debian12-display, debian13. */
export type TestImage = 'debian12' | 'debian12-ssh' | 'debian12-display' | 'debian13';

export function imageTar(name: TestImage): string {
  const tar = path.join(imagesDir(), `${name}.tar`);
  if (!fs.existsSync(tar)) throw new Error(`test image ${tar} is missing: run scripts/build-test-images.sh ${imagesDir()} (npm test does)`);
  return tar;
}

export interface Sandbox {
  root: string;
  env: NodeJS.ProcessEnv;
  burrow(args: string[], opts?: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): { code: number; stdout: string; stderr: string };
  /** Unpacks a test image inside the user's id mapping, as an import does. */
  rootfs(image: TestImage, name: string): string;
  cleanup(): void;
}

/** This user's first /etc/subuid range (the same in /etc/subgid on the hosts the tests run on). */
export function subordinateRange(): { start: number; count: number } {
  const user = os.userInfo().username;
  const line = fs
    .readFileSync('/etc/subuid', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`${user} has no range in /etc/subuid`);
  const [, start, count] = line.split(':');
  return { start: Number(start), count: Number(count) };
}

/**
 * unshare's options for a namespace where you are root and every subordinate id is mapped after you: what
 * Burrow's file operations run under (engine/idmap.ts, `tree`). A tree unpacked there with tar is owned the
 * way machines made before shared folders are (root's files yours, guest id N the range's N-1st).
 */
export function treeMapArgs(): string[] {
  const { start, count } = subordinateRange();
  return ['--user', '--map-root-user', `--map-users=${start},1,${count}`, `--map-groups=${start},1,${count}`];
}

/**
 * Runs a command as root of the map an image made since shared folders has, and its machines with the
 * default share user (root the range's first id, guest uid 1000 you): it sees owners as the guest does.
 */
export function asImageRoot(args: string[]): string {
  const range = subordinateRange();
  const map = buildIdMap('auto', { uid: process.getuid!(), gid: process.getgid!() }, { uid: range, gid: range }, { uid: 1000, gid: 1000 });
  const [file, ...prefix] = userNamespacePrefix(map, { unshare: 'unshare' });
  return execFileSync(file!, [...prefix, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Runs a command as root of the tree map (to unpack images the old way and remove anything again). */
export function asMappedRoot(args: string[]): void {
  execFileSync('unshare', [...treeMapArgs(), '--', ...args], { stdio: 'pipe' });
}

/**
 * The user bus of this session, where there is one: machines then run as units of the user's systemd.
 * The sandbox moves XDG_RUNTIME_DIR, so the bus is named explicitly.
 */
export function userBusAddress(): string | undefined {
  if (process.env.DBUS_SESSION_BUS_ADDRESS) return process.env.DBUS_SESSION_BUS_ADDRESS;
  const bus = process.env.XDG_RUNTIME_DIR && path.join(process.env.XDG_RUNTIME_DIR, 'bus');
  return bus && fs.existsSync(bus) ? `unix:path=${bus}` : undefined;
}

/**
 * The environment for systemctl --user and systemd-run --user from a sandbox: they find the user's manager
 * through $XDG_RUNTIME_DIR (the bus's folder), which the sandbox moved for Burrow's own state.
 */
export function managerEnv(sandboxEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const bus = /unix:path=([^,;]+)/.exec(userBusAddress() ?? '')?.[1];
  return bus ? { ...sandboxEnv, XDG_RUNTIME_DIR: path.dirname(bus) } : sandboxEnv;
}

/** A private configuration (XDG folders) for one test file; `root` keeps it at a known place (autostart). */
export function createSandbox(label: string, opts: { root?: string } = {}): Sandbox {
  const root = opts.root ?? fs.mkdtempSync(path.join(os.tmpdir(), `burrow-it-${label}-`));
  const bus = userBusAddress();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    XDG_CONFIG_HOME: path.join(root, 'config'),
    XDG_DATA_HOME: path.join(root, 'data'),
    XDG_RUNTIME_DIR: path.join(root, 'run'),
    ...(bus ? { DBUS_SESSION_BUS_ADDRESS: bus } : {}),
  };
  fs.mkdirSync(env.XDG_RUNTIME_DIR!, { recursive: true, mode: 0o700 });
  const sandbox: Sandbox = {
    root,
    env,
    burrow(args, opts = {}) {
      const r = spawnSync(process.execPath, [BURROW, ...args], {
        env: { ...env, ...opts.env },
        input: opts.input ?? '',
        encoding: 'utf8',
        timeout: opts.timeoutMs ?? 150_000,
      });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    rootfs(image, name) {
      const dest = path.join(root, 'images', name);
      fs.mkdirSync(dest, { recursive: true });
      asMappedRoot(['tar', '--numeric-owner', '-xpf', imageTar(image), '-C', dest, '--exclude=./dev/*']);
      return dest;
    },
    cleanup() {
      const list = sandbox.burrow(['ls', '--json']);
      if (list.code === 0) {
        for (const m of JSON.parse(list.stdout).machines as { name: string; state: MachineState }[]) {
          if (isLive(m.state)) sandbox.burrow(['kill', m.name]);
          // A machine left enabled would start at the user's next login, from a folder that is gone.
          if (bus) sandbox.burrow(['disable', m.name]);
        }
      }
      // Unpacked images, the image store and overlays hold files of subordinate ids: remove them as mapped root.
      asMappedRoot(['rm', '-rf', root]);
    },
  };
  return sandbox;
}

export function ok(r: { code: number; stdout: string; stderr: string }): string {
  if (r.code !== 0) throw new Error(`burrow exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** Running, as opposed to gone or exited and waiting to be reaped (a zombie has ended). */
export function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/**
 * How much slower than this build machine the host is: the qemu guest under emulation (TCG) runs the same
 * tests several times slower (scripts/vm/guest.sh sets BURROW_TIME_SCALE there). Waits and time bounds
 * scale with it; what they check does not change.
 */
export const TIME_SCALE = Math.max(1, Number(process.env.BURROW_TIME_SCALE) || 1);

export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const scaled = timeoutMs * TIME_SCALE;
  const deadline = Date.now() + scaled;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${scaled} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs a command on a pty (as a terminal user would) and collects what it prints. */
export function onPty(file: string, args: string[], env: NodeJS.ProcessEnv) {
  const pty = require('node-pty') as typeof import('node-pty');
  const term = pty.spawn(file, args, { name: 'xterm-256color', cols: 120, rows: 40, env: env as Record<string, string> });
  let output = '';
  let exit: number | undefined;
  term.onData((d) => (output += d));
  term.onExit((e) => (exit = e.exitCode));
  return {
    term,
    get output() {
      return output;
    },
    get exitCode() {
      return exit;
    },
  };
}

/** A host port nothing listens on right now (the kernel picks it, then it is released). */
export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

export function curlOnHost(url: string): { code: number; body: string } {
  try {
    return { code: 0, body: execFileSync('curl', ['-sS', '-m', '5', url], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    return { code: (e as { status: number }).status, body: '' };
  }
}

export { spawn };
