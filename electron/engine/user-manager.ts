// The user's systemd manager (user@UID.service), where a desktop session has one: Burrow runs each machine's
// supervisor as a unit of it, so systemd delegates the machine a cgroup, applies its limits and keeps it
// apart from whatever started it (a terminal's session scope, the window's app scope).
//
// It is reached with systemctl and systemd-run (`--user`), which find the user bus the same way everything
// else on a desktop does: $DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus. No D-Bus library: both
// tools ship with every systemd, speak unit-file syntax, and their errors are already worded for people.
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { which } from './which';

export interface UserManagerFacts {
  /** systemctl's version (the manager's own is the same package). */
  version?: number;
  /** Host path of the manager's cgroup (…/user@UID.service). */
  cgroupDir: string;
  /** Controllers the manager can give its units (its cgroup's cgroup.controllers). */
  controllers: string[];
  /** loginctl enable-linger: the manager runs from boot and outlives the last logout. */
  linger: boolean;
  /** The manager's runtime folder (/run/user/UID, where its bus is): systemctl and systemd-run need it as $XDG_RUNTIME_DIR. */
  runtimeDir: string;
  systemctl: string;
  systemdRun: string;
}

export interface UserManagerProbe {
  facts?: UserManagerFacts;
  /** Why machines do not run as units here, in words (undefined where they do). */
  absent?: string;
  /** A bus exists but the manager did not answer on it: a problem worth a warning. */
  unanswered?: boolean;
}

/** The user bus socket, where one exists: $DBUS_SESSION_BUS_ADDRESS (unix:path=…), else $XDG_RUNTIME_DIR/bus. */
export function userBusSocket(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  const m = address ? /(?:^|;)unix:path=([^,;]+)/.exec(address) : undefined;
  const candidates = [m?.[1], env.XDG_RUNTIME_DIR && path.join(env.XDG_RUNTIME_DIR, 'bus')];
  return candidates.find((c): c is string => !!c && isSocket(c));
}

function isSocket(p: string): boolean {
  try {
    return fs.statSync(p).isSocket();
  } catch {
    return false;
  }
}

/**
 * The environment systemctl and systemd-run get: the caller's, with the user bus named explicitly and
 * XDG_RUNTIME_DIR pointing where that bus lives. Burrow's own runtime folder may be elsewhere (a test
 * sandbox, a second configuration), which systemctl would otherwise take for the manager's.
 */
export function userToolEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const bus = userBusSocket(env);
  return bus ? { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${bus}`, XDG_RUNTIME_DIR: path.dirname(bus) } : env;
}

/** Whether `burrow` should run machines as units; BURROW_USER_UNITS=0 keeps the plain path (tests, debugging). */
export const userUnitsWanted = (env: NodeJS.ProcessEnv = process.env): boolean => env.BURROW_USER_UNITS !== '0';

const lingerFile = (user: string): string => path.join('/var/lib/systemd/linger', user);

/** Parses `systemctl show` output (KEY=VALUE lines). */
export function parseShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

let cachedVersion: number | undefined;

/** Looks for the user's manager. Costs one `systemctl --user show` (a few ms) where a bus exists. */
export function probeUserManager(unifiedMount: string | undefined, env: NodeJS.ProcessEnv = process.env): UserManagerProbe {
  if (!userUnitsWanted(env)) return { absent: 'turned off with BURROW_USER_UNITS=0' };
  const systemctl = which('systemctl');
  const systemdRun = which('systemd-run');
  if (!systemctl || !systemdRun) return { absent: 'this host has no systemd (systemctl and systemd-run are missing)' };
  const bus = userBusSocket(env);
  if (!bus) return { absent: 'there is no user bus ($XDG_RUNTIME_DIR/bus): no systemd user manager runs for this session' };
  if (!unifiedMount) return { absent: 'the host does not mount cgroup v2 alone at /sys/fs/cgroup (hybrid or legacy cgroups)' };
  let show: Record<string, string>;
  try {
    // init.scope holds the manager process itself: its parent is the manager's own cgroup.
    show = parseShow(
      execFileSync(systemctl, ['--user', 'show', '--property=ControlGroup', 'init.scope'], {
        encoding: 'utf8',
        timeout: 3000,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: userToolEnv(env),
      }),
    );
  } catch (e) {
    const why = ((e as { stderr?: string }).stderr ?? '').trim().split('\n')[0] || (e as Error).message;
    return { absent: `the user bus does not answer (${why})`, unanswered: true };
  }
  const scope = show.ControlGroup;
  if (!scope || !scope.endsWith('/init.scope')) return { absent: 'the user manager did not say where its cgroup is', unanswered: true };
  const cgroupDir = path.join(unifiedMount, path.posix.dirname(scope));
  cachedVersion ??= Number(/systemd (\d+)/.exec(safeRun(systemctl, ['--version']))?.[1]) || undefined;
  return {
    facts: {
      version: cachedVersion,
      cgroupDir,
      controllers: readWords(path.join(cgroupDir, 'cgroup.controllers')),
      linger: fs.existsSync(lingerFile(os.userInfo().username)),
      runtimeDir: path.dirname(bus),
      systemctl,
      systemdRun,
    },
  };
}

function readWords(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

function safeRun(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs systemctl/systemd-run with `--user` against the caller's environment (bus, XDG folders). */
export function runUserTool(file: string, args: string[], timeoutMs = 15000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, ['--user', ...args], { encoding: 'utf8', timeout: timeoutMs, env: userToolEnv() }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: stdout ?? '', stderr: stderr ?? '' });
    });
  });
}
