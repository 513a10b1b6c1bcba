// Commands run as root of a user namespace with the user's subordinate ids: removing, copying and
// measuring trees that hold subordinate-id files (under the `tree` map, which keeps every host owner as
// it is), and unpacking images (under the map their machines get, so files keep the owners the guest sees).
//
// Anything that writes into an image runs in a bubblewrap sandbox where the whole host is read-only and
// only the target folder is writable: a hostile archive (`../`, absolute names, symlinks pointing out)
// can fail the import, but cannot write anywhere else.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { BurrowError } from './errors';
import { canMapAuto, probeHost, type HostFacts } from './host-probe';
import { buildTreeMap, type IdMap } from './idmap';
import { userNamespacePrefix, usernsTools } from './userns';

/** Where the target folder appears inside the sandbox. */
export const SANDBOX_TARGET = '/target';

/** The map file operations run under: your id and the whole subordinate range (see idmap.ts). */
export function treeMap(host: HostFacts): IdMap {
  if (!canMapAuto(host)) {
    throw new BurrowError(
      'host-not-ready',
      'machine and image files keep their owners only under your subordinate-id mapping, and it cannot be set up here',
      'see: burrow doctor (subordinate ids, uidmap, unshare --map-auto)',
    );
  }
  return buildTreeMap({ uid: host.uid, gid: host.gid }, { uid: host.subuid!, gid: host.subgid! });
}

/** The argv prefix that runs a command as root of `map` (the tree map unless another is given). */
export function mappedPrefix(host: HostFacts, map: IdMap = treeMap(host), opts: { mount?: boolean } = {}): string[] {
  if (!canMapAuto(host)) treeMap(host); // says why
  return userNamespacePrefix(map, usernsTools(host), opts);
}

/** The host's programs, read-only: /usr, /etc, and /bin, /lib… as the symlinks or folders they are here. */
function toolBinds(): string[] {
  const args = ['--ro-bind', '/usr', '/usr', '--ro-bind', '/etc', '/etc'];
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(top);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(top), top);
    else if (st.isDirectory()) args.push('--ro-bind', top, top);
  }
  return args;
}

export interface SandboxOptions {
  /** false: the target is bound read-only too (a command that only reads, such as a listing). */
  writable?: boolean;
  /** The id map to run under: an image's when ids are read or written as the guest sees them (tar); default: the tree map. */
  map?: IdMap;
}

/** argv that runs `command` as mapped root in a sandbox where only `target` (at /target) is writable. */
export function sandboxedArgv(
  target: string,
  command: string[],
  host = probeHost(),
  extraBinds: { source: string; dest: string }[] = [],
  opts: SandboxOptions = {},
): string[] {
  if (!host.bwrap)
    throw new BurrowError('host-not-ready', 'bubblewrap (bwrap) is not installed', "install it: sudo apt install bubblewrap (or your distribution's package)");
  const binds = extraBinds.flatMap((b) => ['--ro-bind', b.source, b.dest]);
  return [
    ...mappedPrefix(host, opts.map),
    host.bwrap.path,
    ...toolBinds(),
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
    ...binds,
    opts.writable === false ? '--ro-bind' : '--bind',
    target,
    SANDBOX_TARGET,
    '--unshare-pid',
    '--unshare-net',
    '--unshare-ipc',
    '--die-with-parent',
    // Root of the mapping may chown to any mapped id and set file capabilities; nothing beyond it.
    '--cap-add',
    'CAP_CHOWN',
    '--cap-add',
    'CAP_FOWNER',
    '--cap-add',
    'CAP_DAC_OVERRIDE',
    '--cap-add',
    'CAP_SETFCAP',
    '--cap-add',
    'CAP_FSETID',
    '--chdir',
    SANDBOX_TARGET,
    '--',
    ...command,
  ];
}

/**
 * Starts a sandboxed command in its own process group (so cancel can end all of it). It runs with
 * LC_ALL=C: tar's complaints are classified by their English wording, and names are escaped byte by byte.
 */
export function spawnSandboxed(
  target: string,
  command: string[],
  extraBinds: { source: string; dest: string }[] = [],
  opts: SandboxOptions = {},
): ChildProcess {
  const argv = sandboxedArgv(target, command, probeHost(), extraBinds, opts);
  return spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, LC_ALL: 'C' } });
}

/**
 * Moves a folder into another folder. A folder moved to a new parent has its `..` rewritten, which needs
 * write access to the folder itself: the root folder of an overlay's upper layer is the machine root's (a
 * subordinate id's, since shares), so that move is made as root of the tree map.
 */
export function renameMappedTree(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw e;
  }
  const [unshare, ...args] = mappedPrefix(probeHost());
  const r = spawnSync(unshare!, [...args, 'mv', '-T', '--', from, to], { encoding: 'utf8' });
  if (r.status !== 0) throw new BurrowError('internal', `could not move ${from} to ${to}: ${r.stderr.trim() || `mv exited ${r.status}`}`);
}

/**
 * Removes a folder that may hold files of subordinate ids (an unpacked image, an overlay's upper layer).
 * Tries as the user first; what the user cannot remove is removed as root of the mapping.
 */
export function removeMappedTree(dir: string): void {
  if (!fs.existsSync(dir)) return;
  try {
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  } catch {
    /* subordinate-id files in folders the user cannot write: below */
  }
  const host = probeHost();
  const [unshare, ...args] = mappedPrefix(host);
  const r = spawnSync(unshare!, [...args, 'rm', '-rf', '--', dir], { encoding: 'utf8' });
  if (r.status !== 0 || fs.existsSync(dir)) {
    const by = `${args.slice(0, -1).join(' ')}`;
    throw new BurrowError(
      'internal',
      `could not remove ${dir}: ${r.stderr.trim() || `rm exited ${r.status}`}`,
      `remove it by hand: unshare ${by} rm -rf ${dir}`,
    );
  }
}
