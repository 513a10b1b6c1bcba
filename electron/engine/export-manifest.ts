// The other side of `burrow export`: an archive whose first entry is ./.burrow-machine.json is a machine's
// export. The import reads that entry (bounded, from the head of the stream, never unpacked as a file),
// takes it out of the image's tree, and keeps it in the image's record for `create --exported-settings`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageRecord } from '../contract/image';
import { manifestSchema, type ImportedManifest } from '../contract/export-manifest';
import { shareUserSchema } from '../contract/share-schema';

export type { ImportedManifest } from '../contract/export-manifest';
import { writeJsonAtomic } from './atomic-file';
import { MANIFEST_NAME } from './export';
import { sniffCompression, type Compression } from './image-formats';
import { importImage, type ImportOptions } from './image-import';
import { imageDir } from './image-store';
import { SANDBOX_TARGET, spawnSandboxed } from './mapped-exec';
import { entryPath, TarHeaderReader } from './tar-headers';

/** A profile is a few KiB; anything much larger is not one of ours. */
const MANIFEST_MAX = 256 * 1024;
/** Give up looking for the first entry after this much of the stream (a pax header, then the entry). */
const HEAD_MAX = 4 * 1024 * 1024;

const DECOMPRESS: Record<Exclude<Compression, 'none'>, string[]> = {
  gzip: ['gzip', '-dc'],
  xz: ['xz', '-dc'],
  zstd: ['zstd', '-dcq'],
  bzip2: ['bzip2', '-dc'],
};

/** The manifest at the head of `file`, or undefined when the archive is not an export (or its manifest is unusable). */
export async function readExportManifest(file: string): Promise<ImportedManifest | undefined> {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    head = Buffer.alloc(512);
    head = head.subarray(0, fs.readSync(fd, head, 0, 512, 0));
    fs.closeSync(fd);
    if (!fs.statSync(file).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const compression = sniffCompression(head);
  if (!compression) return undefined;
  const stream =
    compression === 'none'
      ? fs.createReadStream(file)
      : spawn(DECOMPRESS[compression][0]!, [...DECOMPRESS[compression].slice(1), '--', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  const source = 'stdout' in stream ? stream.stdout! : stream;
  const reader = new TarHeaderReader((e) => entryPath(e.name) === MANIFEST_NAME, MANIFEST_MAX);
  const data = await new Promise<Buffer | undefined>((resolve) => {
    let seen = 0;
    const finish = (value: Buffer | undefined) => {
      source.removeAllListeners('data');
      if ('kill' in stream) stream.kill('SIGKILL');
      else stream.destroy();
      resolve(value);
    };
    source.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      let entries;
      try {
        entries = reader.push(chunk);
      } catch {
        return finish(undefined);
      }
      // Only the very first entry counts: a manifest further in is guest content, not ours.
      if (entries.length) return finish(entryPath(entries[0]!.name) === MANIFEST_NAME && entries[0]!.type === '0' ? entries[0]!.data : undefined);
      if (reader.ended || seen > HEAD_MAX) finish(undefined);
    });
    source.on('end', () => finish(undefined));
    source.on('error', () => finish(undefined));
  });
  if (!data) return undefined;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(data.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `burrow image import` for any source: an export's manifest is taken out of the new image's tree and kept
 * in its record; anything else imports as before.
 */
export async function importImageOrExport(name: string, source: string, opts: ImportOptions = {}): Promise<ImageRecord> {
  const manifest = await readExportManifest(path.resolve(source));
  const image = await importImage(name, source, { ...opts, ...exportedUser(manifest) });
  if (!manifest || image.inPlace) return image;
  await removeFromTree(image.rootfs, MANIFEST_NAME);
  const record: ImageRecord = {
    ...image,
    exported: {
      machine: manifest.machine,
      ...(manifest.snapshot ? { snapshot: manifest.snapshot } : {}),
      exportedAt: manifest.exportedAt,
      profile: manifest.profile,
    },
  };
  writeJsonAtomic(path.join(imageDir(name), 'image.json'), record, 0o644);
  return record;
}

/** The exported machine's share user: its files are unpacked as yours, as they were there. */
function exportedUser(manifest: ImportedManifest | undefined): Pick<ImportOptions, 'user'> {
  const parsed = shareUserSchema.safeParse((manifest?.profile as { shareUser?: unknown } | undefined)?.shareUser);
  const u = parsed.success ? parsed.data : undefined;
  return u?.uid !== undefined && u.gid !== undefined ? { user: { uid: u.uid, gid: u.gid } } : {};
}

async function removeFromTree(rootfs: string, entry: string): Promise<void> {
  const child = spawnSandboxed(rootfs, ['rm', '-f', '--', `${SANDBOX_TARGET}/${entry}`]);
  child.stdin!.end();
  child.stdout!.resume();
  child.stderr!.resume();
  await new Promise((resolve) => child.on('close', resolve));
}
