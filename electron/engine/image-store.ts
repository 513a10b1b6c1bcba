// The image store: $XDG_DATA_HOME/burrow/images/NAME/ holds image.json and the unpacked rootfs/.
// An image appears only when complete: imports work in `.NAME.partial.PID.START` and rename at the end;
// a partial whose importer is gone (killed, host restarted) is removed by the next image command.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { imageRecordSchema, type ImageRecord } from '../contract/image';
import { MACHINE_NAME_RE } from '../contract/plain';
import { writeJsonAtomic } from './atomic-file';
import { BurrowError } from './errors';
import { removeMappedTree } from './mapped-exec';
import { imagesDir } from './paths';
import { listProfiles } from './profiles';
import { processStartTime } from './runtime-state';

export { imageRecordSchema, type ImageRecord } from '../contract/image';

export function checkImageName(name: string): void {
  if (!MACHINE_NAME_RE.test(name))
    throw new BurrowError(
      'invalid-input',
      `invalid image name ${JSON.stringify(name)}: use 1-63 lowercase letters, digits, "-" or "_", starting with a letter or digit`,
    );
}

export const imageDir = (name: string): string => path.join(imagesDir(), name);
const recordFile = (dir: string): string => path.join(dir, 'image.json');
const PARTIAL_RE = /^\.(.+)\.partial\.(\d+)\.(\d+)$/;

export function imageExists(name: string): boolean {
  return fs.existsSync(imageDir(name));
}

export function loadImage(name: string): ImageRecord {
  checkImageName(name);
  const file = recordFile(imageDir(name));
  if (!fs.existsSync(file)) throw new BurrowError('not-found', `no image named "${name}"`, 'list images with: burrow image ls');
  const parsed = imageRecordSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new BurrowError(
      'corrupt-profile',
      `the record of image "${name}" (${file}) cannot be read. It was left as it is.`,
      `remove the image with: burrow image rm ${name}`,
    );
  return parsed.data;
}

export function listImages(): ImageRecord[] {
  removeAbandonedPartials();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(imagesDir());
  } catch {
    return [];
  }
  const images: ImageRecord[] = [];
  for (const name of entries.sort()) {
    if (name.startsWith('.')) continue;
    try {
      images.push(loadImage(name));
    } catch {
      /* not an image folder */
    }
  }
  return images;
}

/** Machines whose profile uses this image (by name, or by its rootfs folder when made without an image). */
export function machinesUsing(image: ImageRecord): string[] {
  return listProfiles()
    .profiles.filter((p) => p.image === image.name || (!p.image && p.rootfs === image.rootfs))
    .map((p) => p.name);
}

export function removeImage(name: string): void {
  const image = loadImage(name);
  const users = machinesUsing(image);
  if (users.length)
    throw new BurrowError(
      'in-use',
      `image "${name}" is used by ${users.length === 1 ? 'machine' : 'machines'} ${users.join(', ')}`,
      `remove ${users.length === 1 ? 'it' : 'them'} first: burrow rm ${users.join(' ')}`,
    );
  // An image used in place keeps its folder: only the record goes.
  const dir = imageDir(name);
  const trash = path.join(imagesDir(), `.${name}.removing.${process.pid}`);
  fs.renameSync(dir, trash); // the image is gone at once, even if removing its files takes a while
  removeMappedTree(trash);
}

/** Removes what imports that were killed left behind. */
export function removeAbandonedPartials(): void {
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(imagesDir());
  } catch {
    return;
  }
  for (const entry of entries) {
    const m = PARTIAL_RE.exec(entry) ?? /^\.(.+)\.removing\.(\d+)()$/.exec(entry);
    if (!m) continue;
    const [pid, start] = [Number(m[2]), m[3] ? Number(m[3]) : undefined];
    const alive = processStartTime(pid);
    if (alive !== undefined && (start === undefined || alive === start)) continue;
    try {
      removeMappedTree(path.join(imagesDir(), entry));
    } catch {
      /* tried again next time */
    }
  }
}

/** A folder where an import builds the image; `commit` renames it into place, `discard` removes it. */
export interface Staging {
  dir: string;
  rootfs: string;
  commit(record: Omit<ImageRecord, 'rootfs' | 'version' | 'name' | 'createdAt'> & { rootfs?: string }): ImageRecord;
  discard(): void;
}

export function beginImage(name: string): Staging {
  checkImageName(name);
  removeAbandonedPartials();
  if (imageExists(name))
    throw new BurrowError('exists', `an image named "${name}" already exists`, `choose another name, or remove it first: burrow image rm ${name}`);
  fs.mkdirSync(imagesDir(), { recursive: true, mode: 0o700 });
  const dir = path.join(imagesDir(), `.${name}.partial.${process.pid}.${processStartTime(process.pid)}`);
  fs.mkdirSync(dir, { mode: 0o700 });
  const rootfs = path.join(dir, 'rootfs');
  fs.mkdirSync(rootfs, { mode: 0o755 });
  let done = false;
  return {
    dir,
    rootfs,
    commit(fields) {
      const final = imageDir(name);
      const record: ImageRecord = { version: 1, name, createdAt: new Date().toISOString(), ...fields, rootfs: fields.rootfs ?? path.join(final, 'rootfs') };
      writeJsonAtomic(recordFile(dir), record, 0o644);
      try {
        fs.renameSync(dir, final);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST')
          throw new BurrowError(
            'exists',
            `an image named "${name}" appeared while this one was imported`,
            `choose another name: burrow image rm ${name} first, or import under a new name`,
          );
        throw e;
      }
      done = true;
      return record;
    },
    discard() {
      if (!done) removeMappedTree(dir);
      done = true;
    },
  };
}
