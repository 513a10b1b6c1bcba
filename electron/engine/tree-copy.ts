// Copies and measures trees that hold files of subordinate ids (upper layers, snapshots, a direct machine's
// rootfs), as root of the tree map (your id and the whole subordinate range) so owners, modes, xattrs, file capabilities, hard links and
// whiteouts stay as they are. Copies run in the sandbox where only the target is writable, with
// `cp --reflink=auto`: copy-on-write where the file system offers it (btrfs, XFS), a plain copy elsewhere.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BurrowError } from './errors';
import { probeHost } from './host-probe';
import { mappedPrefix, SANDBOX_TARGET, spawnSandboxed } from './mapped-exec';

export interface CopyProgress {
  phase: string;
  /** Files and folders copied so far in this phase. */
  entries: number;
}

export interface CopyOptions {
  signal?: AbortSignal;
  onProgress?: (p: CopyProgress) => void;
  phase?: string;
}

export const lifecycleCancelled = (what: string): BurrowError => new BurrowError('cancelled', `${what} cancelled; nothing was kept`);

/** Copies the content of `source` into the existing, empty folder `target`. */
export async function copyTree(source: string, target: string, opts: CopyOptions = {}): Promise<void> {
  if (opts.signal?.aborted) throw lifecycleCancelled(opts.phase ?? 'copy');
  const child = spawnSandboxed(target, ['cp', '-a', '-v', '--reflink=auto', '/source/.', `${SANDBOX_TARGET}/`], [{ source, dest: '/source' }]);
  child.stdin!.end();
  let entries = 0;
  let last = 0;
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    for (const b of d) if (b === 10) entries++;
    const now = Date.now();
    if (now - last >= 100) {
      last = now;
      opts.onProgress?.({ phase: opts.phase ?? 'copying', entries });
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8192)));
  const abort = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  opts.signal?.addEventListener('abort', abort, { once: true });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  opts.signal?.removeEventListener('abort', abort);
  if (opts.signal?.aborted) throw lifecycleCancelled(opts.phase ?? 'copy');
  opts.onProgress?.({ phase: opts.phase ?? 'copying', entries });
  if (code !== 0) throw copyError(err, code);
}

export function copyError(stderr: string, code: number | null): BurrowError {
  const first = stderr.trim().split('\n').slice(0, 2).join('; ').replace(/^cp: /, '');
  if (/No space left on device|Disk quota exceeded/.test(stderr))
    return new BurrowError(
      'no-space',
      'not enough disk space for the copy (No space left on device); nothing was kept',
      'free some space, or delete old snapshots (burrow df shows what uses it)',
    );
  return new BurrowError('internal', `the copy failed: ${first || `cp exited ${code}`}; nothing was kept`);
}

/** Runs a read-only command as root of the tree map (no sandbox: it writes nothing). */
function mappedRead(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const [file, ...prefix] = mappedPrefix(probeHost());
  const r = spawnSync(file!, [...prefix, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/**
 * Bytes on disk under each folder, in one `du` run: a file hard-linked from two of them counts once, in
 * the first. Folders that do not exist count 0.
 */
export function diskUsage(dirs: string[]): Map<string, number> {
  const sizes = new Map<string, number>(dirs.map((d) => [d, 0]));
  const present = dirs.filter((d) => fs.existsSync(d));
  if (!present.length) return sizes;
  const r = mappedRead(['du', '-s', '-B1', '--', ...present]);
  for (const line of r.stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) sizes.set(line.slice(tab + 1), Number(line.slice(0, tab)));
  }
  return sizes;
}

export function freeBytes(dir: string): number {
  const st = fs.statfsSync(dir);
  return st.bavail * st.bsize;
}

const MARGIN_BYTES = 16 * 1024 ** 2;

/** Refuses work that cannot fit, before anything is written. */
export function checkSpace(dir: string, needed: number, what: string): void {
  const free = freeBytes(dir);
  if (free < needed + MARGIN_BYTES) {
    const mb = (n: number) => `${Math.ceil(n / 1024 ** 2)} MiB`;
    throw new BurrowError(
      'no-space',
      `not enough disk space: ${what} needs about ${mb(needed)}, and ${mb(free)} is free in ${dir}`,
      'free some space (burrow df shows what uses it); nothing was written',
    );
  }
}

const reflinkByDevice = new Map<number, boolean>();

/** Whether `dir`'s file system makes copies copy-on-write (a reflink of a scratch file succeeds). */
export function offersReflinks(dir: string): boolean {
  const dev = fs.statSync(dir).dev;
  const known = reflinkByDevice.get(dev);
  if (known !== undefined) return known;
  const scratch = fs.mkdtempSync(path.join(dir, `.reflink-probe.${process.pid}.`));
  let ok = false;
  try {
    fs.writeFileSync(path.join(scratch, 'a'), 'x');
    ok = spawnSync('cp', ['--reflink=always', path.join(scratch, 'a'), path.join(scratch, 'b')], { stdio: 'ignore' }).status === 0;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  reflinkByDevice.set(dev, ok);
  return ok;
}

/** A private scratch folder (an export's mount point): removed by the caller. */
export const scratchDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-'));
