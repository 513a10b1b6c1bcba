// A supervisor started ahead of need by a long-running host (the window's main process, the web host):
// Node's own start (~50 ms here, more for Electron in Node mode) is then off the path of a machine's boot,
// which is what kept a start from the window well above the hand-run command line. The spare has loaded
// everything and waits for a machine's name on stdin; the host that made it is the only one who can write
// there. Its output goes to a log of its own in the runtime folder, renamed to the machine's
// supervisor.log when it is given a machine, so its whole life is in the usual place; the FIFO for bwrap's
// info is made ahead the same way. Hosts with a systemd
// user manager start supervisors as units (systemd-run), which a spare cannot become: they never use one.
// The CLI never makes one either: it exits after its command.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Disposable } from './disposable';
import { probeHost } from './host-probe';
import { nodeScriptCommand } from './node-runtime';
import { ensureRuntimeRoot } from './runtime-root';

/** After one is taken, the next is made this much later (not during the boot it would slow down). */
const REPLACE_AFTER_MS = 250;
/** When the last user lets go (a page reloading), the spare is kept this long for the next. */
const LINGER_MS = 5000;

interface Spare {
  child: ChildProcess;
  log: string;
  /** The FIFO bwrap's info will come through, made ahead too (mkfifo is an exec: 2-3 ms on the boot's path). */
  fifo?: string;
  exited: boolean;
}

let users = 0;
let spare: Spare | undefined;
let timer: NodeJS.Timeout | undefined;

function schedule(ms: number, what: () => void): void {
  clearTimeout(timer);
  timer = setTimeout(what, ms);
  timer.unref();
}

/** The FIFO at `file`; undefined where it cannot be made (the supervisor then makes its own). */
function makeFifo(file: string): string | undefined {
  try {
    fs.rmSync(file, { force: true });
    execFileSync('mkfifo', ['-m', '600', '--', file], { stdio: 'ignore' });
    return file;
  } catch {
    return undefined;
  }
}

function make(): void {
  if (spare || users === 0) return;
  if (probeHost().userManager?.facts) return; // supervisors are the user manager's units here
  let root: string;
  try {
    root = ensureRuntimeRoot();
  } catch {
    return; // a runtime folder refused as not private: starts say why, and spawn their own supervisor
  }
  const script = path.join(__dirname, 'supervisor.js');
  if (!fs.existsSync(script)) return; // run from the sources (tests): only the build has a supervisor to spare
  const log = path.join(root, `.spare-supervisor-${process.pid}.log`);
  const cmd = nodeScriptCommand(script, ['--spare']);
  let fd: number;
  try {
    fd = fs.openSync(log, 'w', 0o600);
  } catch {
    return;
  }
  const child = spawn(cmd.file, cmd.args, { detached: true, stdio: ['pipe', fd, fd], env: { ...process.env, ...cmd.env }, cwd: '/' });
  fs.closeSync(fd);
  const made: Spare = { child, log, fifo: makeFifo(path.join(root, `.spare-supervisor-${process.pid}.fifo`)), exited: false };
  child.on('error', () => undefined);
  child.stdin!.on('error', () => undefined);
  child.on('exit', () => {
    made.exited = true;
    if (spare === made) {
      spare = undefined;
      fs.rmSync(log, { force: true });
      if (made.fifo) fs.rmSync(made.fifo, { force: true });
    }
  });
  child.unref();
  // The pipe must not keep the host alive either; it closes with the host, which ends an unused spare.
  (child.stdin as unknown as { _handle?: { unref(): void } })._handle?.unref();
  spare = made;
}

function drop(): void {
  const s = spare;
  spare = undefined;
  if (!s) return;
  s.child.stdin!.end(); // an unused spare ends when its stdin does
  fs.rmSync(s.log, { force: true });
  if (s.fifo) fs.rmSync(s.fifo, { force: true });
}

/** Keeps a spare supervisor ready while the returned disposable lives (a host holds one per window or connection). */
export function keepSpareSupervisor(): Disposable {
  users++;
  if (!spare) schedule(0, make);
  let held = true;
  return {
    dispose: () => {
      if (!held) return;
      held = false;
      if (--users === 0) schedule(LINGER_MS, drop);
    },
  };
}

/**
 * Hands the spare, if one is ready, the machine `name`: its log becomes `files.log`, its FIFO `files.info`,
 * and it reads the launch plan the caller wrote. Returns how to tell whether it has exited, or undefined
 * when there is no spare.
 */
export function takeSpareSupervisor(name: string, files: { log: string; info: string }): { exited(): boolean } | undefined {
  const s = spare;
  if (!s || s.exited || !s.child.stdin!.writable) return undefined;
  spare = undefined;
  try {
    fs.renameSync(s.log, files.log);
  } catch {
    s.child.stdin!.end();
    if (s.fifo) fs.rmSync(s.fifo, { force: true });
    return undefined;
  }
  try {
    if (s.fifo) fs.renameSync(s.fifo, files.info);
  } catch {
    /* the supervisor makes it itself */
  }
  s.child.stdin!.end(`${name}\n`);
  if (users > 0) schedule(REPLACE_AFTER_MS, make);
  return { exited: () => s.exited };
}
