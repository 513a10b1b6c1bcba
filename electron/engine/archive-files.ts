// The files an image archive names (manifests, configs, layers, blobs) are read only from inside the
// archive: a name is resolved with realpath against the archive's own folder and must be a regular file
// there. A link that leads out (to one of your private files, to /dev/zero), a device, a FIFO or a socket
// is refused before a byte is read, and reads stop at the size the file was checked at (for OCI blobs:
// the size their descriptor declares). Links that stay inside are fine: podman's docker-archive stores
// each `<id>/layer.tar` as a link to `../<digest>.tar`, and older docker saves link duplicate layers so.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { BurrowError } from './errors';

export interface ArchiveFile {
  /** The resolved path: inside the archive, no link left in it. */
  path: string;
  size: number;
}

/** An archive's own name for a file, printable: controls and non-ASCII bytes shown escaped. */
export function shownName(name: string): string {
  return JSON.stringify(name)
    .slice(1, -1)
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const refused = (message: string) =>
  new BurrowError('import-failed', message, 'an image must stay inside its own archive: it was refused and nothing was kept');

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * `name` (as the archive's manifest or index gives it) inside `root`, checked: inside the archive once
 * every link is followed, a regular file, and as long as `declaredSize` says where one is declared.
 */
export function archiveFile(root: string, name: string, what: string, declaredSize?: number): ArchiveFile {
  const base = fs.realpathSync(root);
  const within = (p: string) => p.startsWith(base + path.sep);
  const lexical = path.resolve(base, name);
  if (!within(lexical)) throw refused(`the archive's manifest points outside it (${shownName(name)})`);
  let real: string;
  try {
    real = fs.realpathSync(lexical);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw refused(`${what} ${shownName(name)} is a loop of links`);
    // A dangling link that would lead out is refused as such, not reported as missing.
    if (leadsOut(base, lexical)) throw refused(`${what} ${shownName(name)} is a link that leads outside the archive`);
    throw new BurrowError(
      'import-failed',
      `the archive lacks ${shownName(name)}, which its manifest lists`,
      'the archive is incomplete: save or copy it again',
    );
  }
  if (!within(real)) throw refused(`${what} ${shownName(name)} is a link that leads outside the archive`);
  const st = fs.lstatSync(real);
  if (!st.isFile()) throw refused(`${what} ${shownName(name)} is ${kindOf(st)}, not a regular file`);
  if (declaredSize !== undefined && st.size !== declaredSize) {
    throw new BurrowError(
      'import-failed',
      `${what} ${shownName(name)} is ${st.size} bytes, but the image declares ${declaredSize}`,
      'the image is truncated or corrupt: save or copy it again; nothing was kept',
    );
  }
  return { path: real, size: st.size };
}

/** Whether a path that does not resolve has a link on its way whose target lies outside `base`. */
function leadsOut(base: string, lexical: string): boolean {
  let current = base;
  for (const part of path.relative(base, lexical).split(path.sep)) {
    current = path.join(current, part);
    let target: string;
    try {
      target = fs.readlinkSync(current);
    } catch {
      continue;
    }
    const resolved = path.resolve(path.dirname(current), target);
    if (!resolved.startsWith(base + path.sep)) return true;
  }
  return false;
}

/**
 * Opens a checked file for reading: never follows a link, never waits on a FIFO, and refuses a file that
 * is no longer the regular file of `size` bytes it was checked as.
 */
export function openChecked(file: ArchiveFile): number {
  const fd = fs.openSync(file.path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  const st = fs.fstatSync(fd);
  if (!st.isFile() || st.size !== file.size) {
    fs.closeSync(fd);
    throw new BurrowError('import-failed', `${file.path} changed while it was imported`, 'import it again once nothing writes to it');
  }
  return fd;
}

/** The file's bytes from `position`, at most `length` of them (never past the checked size). */
export function readChecked(file: ArchiveFile, position: number, length: number): Buffer {
  const fd = openChecked(file);
  try {
    const buf = Buffer.alloc(Math.max(0, Math.min(length, file.size - position)));
    const n = buf.length ? fs.readSync(fd, buf, 0, buf.length, position) : 0;
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** A stream of exactly the checked size: a file that grew is not read past it. */
export function checkedReadStream(file: ArchiveFile): Readable {
  const fd = openChecked(file);
  if (!file.size) {
    fs.closeSync(fd);
    return Readable.from([]);
  }
  return fs.createReadStream('', { fd, start: 0, end: file.size - 1, highWaterMark: 1024 * 1024 });
}

/** Manifests, indexes and configs are small: anything bigger is not one. */
export const MAX_JSON_BYTES = 16 * 1024 ** 2;

/**
 * A JSON document of the archive, checked against its digest (`sha256:HEX`) where the image gives one.
 * Parse errors do not quote the content (it may be anything).
 */
export function readArchiveJson<T>(file: ArchiveFile, what: string, digest?: string): T {
  if (file.size > MAX_JSON_BYTES)
    throw new BurrowError(
      'import-failed',
      `${what} is ${file.size} bytes, more than any real one (${MAX_JSON_BYTES} at most)`,
      'the image is corrupt: save or copy it again',
    );
  const data = readChecked(file, 0, file.size);
  if (digest && `sha256:${createHash('sha256').update(data).digest('hex')}` !== digest) {
    throw new BurrowError(
      'import-failed',
      `${what} is corrupt: its content does not match its digest ${digest.slice(0, 19)}…`,
      'copy or save the image again; nothing was kept',
    );
  }
  try {
    return JSON.parse(data.toString('utf8')) as T;
  } catch (e) {
    if (e instanceof BurrowError) throw e;
    throw new BurrowError(
      'import-failed',
      `${what} (${path.basename(file.path)}) is not valid JSON`,
      'the image is incomplete or corrupt: save or copy it again',
    );
  }
}
