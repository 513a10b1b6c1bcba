// Squashing two overlay layers into one (layer-stack.ts decides when): a copy of the lower layer with the
// upper one applied the way overlayfs would show it, still as a layer over the image. A whiteout in the upper
// layer removes the path below and stays (the image may hold that path); an opaque folder replaces the
// folder below whole; anything else replaces what was there (folders merge). Overlay marks are read as the
// kernel writes them in a user namespace (whiteouts: character devices 0:0, opaque: user.overlay.opaque=y)
// and as fuse-overlayfs writes them (.wh.NAME, .wh..wh..opq).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { BurrowError } from './errors';
import { probeHost } from './host-probe';
import { mappedPrefix, SANDBOX_TARGET, spawnSandboxed } from './mapped-exec';
import { entryPath, TarHeaderReader } from './tar-headers';
import { copyError, copyTree, type CopyOptions } from './tree-copy';

export interface LayerEntry {
  path: string;
  /** find's %y: f file, d folder, l symlink, c character device (a whiteout in a layer), p, s, b. */
  type: string;
}

const OPAQUE_XATTRS = ['user.overlay.opaque', 'trusted.overlay.opaque', 'user.fuseoverlayfs.opaque'];
const FUSE_OPAQUE = '.wh..wh..opq';
const FUSE_WHITEOUT = '.wh.';

/** Paths to remove from a copy of the lower layer before the upper layer is copied onto it. */
export function mergeRemovals(upper: LayerEntry[], opaque: Set<string>, lowerTypes: Map<string, string>): string[] {
  const removals: string[] = [];
  const gone = new Set<string>();
  const removed = (p: string) => {
    for (let at = p; at !== '.' && at !== ''; at = path.posix.dirname(at)) if (gone.has(at)) return true;
    return false;
  };
  const remove = (p: string) => {
    if (lowerTypes.has(p) && !removed(p)) {
      removals.push(p);
      gone.add(p);
    }
  };
  for (const e of upper) {
    const base = path.posix.basename(e.path);
    const dir = path.posix.dirname(e.path);
    if (e.type === 'd') {
      // An opaque folder hides everything below it; a folder over a non-folder replaces it.
      if (opaque.has(e.path) || (lowerTypes.has(e.path) && lowerTypes.get(e.path) !== 'd')) remove(e.path);
    } else if (base === FUSE_OPAQUE) {
      if (dir !== '.') remove(dir);
    } else if (base.startsWith(FUSE_WHITEOUT)) {
      remove(path.posix.join(dir, base.slice(FUSE_WHITEOUT.length)));
    } else {
      // A whiteout, a file, a link: what was there goes first (a hard-linked file below must not be written through).
      remove(e.path);
    }
  }
  return removals;
}

/** Runs a read-only shell line in `dir` as root of the mapping and hands its output to `onData`. */
function readInLayer(dir: string, script: string, onData: (chunk: Buffer) => void): Promise<void> {
  const [file, ...args] = [...mappedPrefix(probeHost()), '/bin/sh', '-c', `cd "$1" && ${script}`, 'burrow-layer', dir];
  const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stdout.on('data', onData);
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4096)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new BurrowError('internal', `reading layer ${dir} failed: ${err.trim().split('\n')[0] ?? `exit ${code}`}`)),
    );
  });
}

/** Every entry of a layer, parents before children. */
export async function listLayer(dir: string): Promise<LayerEntry[]> {
  const chunks: Buffer[] = [];
  await readInLayer(dir, 'find . -mindepth 1 -printf "%y %p\\0"', (c) => chunks.push(c));
  return Buffer.concat(chunks)
    .toString('utf8')
    .split('\0')
    .filter(Boolean)
    .map((line) => ({ type: line.slice(0, 1), path: entryPath(line.slice(2)) }));
}

/** The folders of a layer that overlayfs marked opaque (read from their xattrs through tar). */
export async function opaqueFolders(dir: string): Promise<Set<string>> {
  const reader = new TarHeaderReader();
  const opaque = new Set<string>();
  const includes = OPAQUE_XATTRS.map((x) => `--xattrs-include=${x}`).join(' ');
  await readInLayer(dir, `find . -mindepth 1 -type d -print0 | tar --null --no-recursion -T - --xattrs ${includes} -cf -`, (chunk) => {
    for (const e of reader.push(chunk)) {
      if (OPAQUE_XATTRS.some((x) => e.xattrs[x]?.toString('latin1') === 'y')) opaque.add(entryPath(e.name));
    }
  });
  return opaque;
}

/** Builds `target` (an empty folder) as `upper` applied onto `lower`. */
export async function mergeLayers(lower: string, upper: string, target: string, opts: CopyOptions = {}): Promise<void> {
  await copyTree(lower, target, { ...opts, phase: opts.phase ?? 'squashing layers' });
  const [upperEntries, opaque, lowerEntries] = await Promise.all([listLayer(upper), opaqueFolders(upper), listLayer(target)]);
  const removals = mergeRemovals(upperEntries, opaque, new Map(lowerEntries.map((e) => [e.path, e.type])));
  if (removals.length) {
    const child = spawnSandboxed(target, ['xargs', '-0', '-r', 'rm', '-rf', '--']);
    let err = '';
    child.stdout!.resume();
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin!.end(removals.map((p) => `${SANDBOX_TARGET}/${p}`).join('\0') + '\0');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw copyError(err, code);
  }
  await copyTree(upper, target, { ...opts, phase: opts.phase ?? 'squashing layers' });
}
