// Unpacks a tar stream into an image's rootfs with GNU tar, as root of the image's id map, inside the
// sandbox where only the rootfs is writable. Counts bytes and entries as it goes, can be cancelled, and
// turns tar's complaints into errors people can act on.
import { createHash } from 'node:crypto';
import { checkedReadStream, type ArchiveFile } from './archive-files';
import { BurrowError } from './errors';
import type { IdMap } from './idmap';
import { TAR_DECOMPRESS, type Compression } from './image-formats';
import { SANDBOX_TARGET, spawnSandboxed } from './mapped-exec';

export interface ExtractCounters {
  bytes: number;
  entries: number;
}

export interface ExtractOptions {
  compression: Compression;
  /** Leave out whiteout files (OCI layers: they are applied before the layer is unpacked). */
  skipWhiteouts?: boolean;
  signal?: AbortSignal;
  /** sha256 the input must have (checked once all of it was read). */
  sha256?: string;
  counters: ExtractCounters;
  onTick?: () => void;
  /** The image's id map: owners are written as the guest will see them. */
  map: IdMap;
}

/** Where a plain tarball read by tar itself appears in the sandbox. */
const SANDBOX_SOURCE = '/source.tar';
/** tar reports the bytes it has read every this many 10 KiB records (about 2 MiB). */
const CHECKPOINT_RECORDS = 200;

/** tar's options: numeric owners as stored, permissions kept, device nodes left out (bwrap provides /dev). */
export function tarExtractArgs(compression: Compression, skipWhiteouts = false, source = '-'): string[] {
  return [
    'tar',
    '-x',
    '-v',
    '-p',
    '--numeric-owner',
    '--same-owner',
    '--xattrs',
    '--xattrs-include=security.capability',
    ...TAR_DECOMPRESS[compression],
    '--exclude=./dev/*',
    '--exclude=dev/*',
    ...(skipWhiteouts ? ['--exclude=.wh.*'] : []),
    ...(source === '-' ? [] : [`--checkpoint=${CHECKPOINT_RECORDS}`, '--checkpoint-action=echo=%T']),
    '-f',
    source,
    '-C',
    SANDBOX_TARGET,
  ];
}

/** tar's stderr as one sentence with its fix; undefined when nothing in it is a reason to refuse. */
export function explainTarErrors(stderr: string, exitCode: number | null): BurrowError | undefined {
  // A name in a complaint can be as long as a PAX header makes it: each line is cut to something readable.
  const lines = stderr
    .split('\n')
    .filter((l) => l && !/Exiting with failure status|Error is not recoverable: exiting now/.test(l))
    .map((l) => (l.length > 200 ? `${l.slice(0, 100)}…${l.slice(-80)}` : l));
  const first = (re: RegExp) => lines.find((l) => re.test(l));
  const outside = 'an image must stay inside its own folder: this archive was refused and nothing was kept';
  let hit: string | undefined;
  if ((hit = first(/No space left on device|Wrote only \d+ of \d+ bytes|Disk quota exceeded/)))
    return new BurrowError(
      'no-space',
      'not enough disk space to unpack the image (No space left on device); nothing was kept',
      'free some space, or set XDG_DATA_HOME to a bigger disk',
    );
  if ((hit = first(/Member name contains '\.\.'|contains '\.\.'|Removing leading .*\.\.\//)))
    return new BurrowError('import-failed', `the archive holds entries that climb out of its folder (${hit.replace(/^tar: /, '')})`, outside);
  if ((hit = first(/Removing leading `\/'/))) return new BurrowError('import-failed', 'the archive holds absolute paths (entries starting with /)', outside);
  if (
    (hit = first(
      /Read-only file system|Too many levels of symbolic links|Cannot open: Not a directory|Cannot (open|mkdir|create symlink|hard link).*No such file or directory/,
    ))
  ) {
    return new BurrowError('import-failed', `the archive writes through a link that points out of its folder (${hit.replace(/^tar: /, '')})`, outside);
  }
  if ((hit = first(/File name too long/)))
    return new BurrowError(
      'import-failed',
      'the archive holds a name longer than any file system allows',
      'the archive is corrupt or hostile; nothing was kept',
    );
  if (
    (hit = first(
      /Unexpected EOF|unexpected end of (file|input)|invalid compressed data|Truncated|corrupt|premature end|Skipping to next header|not look like a tar archive|format violated|Unknown frame descriptor|Read error/i,
    ))
  ) {
    return new BurrowError(
      'import-failed',
      `the archive is truncated or corrupt (${hit.replace(/^tar: /, '')})`,
      'download, export or copy it again; nothing was kept',
    );
  }
  if (exitCode !== 0) {
    const ignorable = (l: string) =>
      /Cannot mknod|Cannot change ownership|Cannot set xattr|Ignoring unknown extended header|time stamp .* in the future/.test(l);
    const real = lines.filter((l) => !ignorable(l));
    if (real.length)
      return new BurrowError(
        'import-failed',
        `tar could not unpack the archive: ${real.slice(0, 2).join('; ').replace(/tar: /g, '')}`,
        'check the archive with: tar -tvf FILE; nothing was kept',
      );
  }
  return undefined;
}

const isFile = (input: ArchiveFile | NodeJS.ReadableStream): input is ArchiveFile => typeof (input as ArchiveFile).path === 'string';

/**
 * Streams `input` (a checked file, or a stream such as mmdebstrap's output) into tar inside the sandbox
 * writing to `rootfs`. A file is read up to its checked size and no further.
 */
export async function extractInto(rootfs: string, input: ArchiveFile | NodeJS.ReadableStream, opts: ExtractOptions): Promise<void> {
  if (opts.signal?.aborted) throw cancelled();
  // A plain tarball with nothing to hash is read by tar itself (bound read-only into the sandbox): no copy
  // through this process. tar then reports progress at checkpoints. Everything else streams through here.
  const file = isFile(input) ? input : undefined;
  const direct = !!file && opts.compression === 'none' && !opts.sha256;
  const child = direct
    ? spawnSandboxed(rootfs, tarExtractArgs('none', opts.skipWhiteouts, SANDBOX_SOURCE), [{ source: file!.path, dest: SANDBOX_SOURCE }], { map: opts.map })
    : spawnSandboxed(rootfs, tarExtractArgs(opts.compression, opts.skipWhiteouts), [], { map: opts.map });
  let stderr = '';
  // One line per entry; counted, never kept (a name can be as long as a PAX header makes it).
  child.stdout!.on('data', (d: Buffer) => {
    for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) opts.counters.entries++;
  });
  child.stderr!.on('data', (d: Buffer) => {
    let text = d.toString();
    if (direct) {
      // Checkpoint lines ("tar: R: 181657600 (174MiB, …)") are progress, not complaints.
      text = text.replace(/^tar: R: (\d+) .*\n?/gm, (_l, bytes: string) => {
        opts.counters.bytes = Number(bytes);
        opts.onTick?.();
        return '';
      });
    }
    stderr = (stderr + text).slice(-16384);
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const abort = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  opts.signal?.addEventListener('abort', abort, { once: true });

  const hash = opts.sha256 ? createHash('sha256') : undefined;
  let readError: Error | undefined;
  if (direct) child.stdin!.end();
  else {
    const source = file ? checkedReadStream(file) : (input as NodeJS.ReadableStream);
    readError = await feed(
      source,
      child.stdin!,
      (chunk) => {
        opts.counters.bytes += chunk.length;
        hash?.update(chunk);
        opts.onTick?.();
      },
      opts.signal,
    );
  }
  const code = await exited;
  opts.signal?.removeEventListener('abort', abort);
  if (opts.signal?.aborted) throw cancelled();
  const explained = explainTarErrors(stderr, code);
  if (explained) throw explained;
  if (readError) throw new BurrowError('import-failed', `reading ${file ? file.path : 'the image'} failed: ${readError.message}`);
  if (code === null) throw new BurrowError('import-failed', 'tar was killed before it finished; nothing was kept');
  if (direct) opts.counters.bytes = file!.size;
  // Any other non-zero exit left only ignorable complaints (device nodes, unknown headers): the tree is complete.
  if (hash) {
    const got = hash.digest('hex');
    if (got !== opts.sha256)
      throw new BurrowError(
        'import-failed',
        `a layer is corrupt: its sha256 is ${got.slice(0, 12)}…, the image says ${opts.sha256!.slice(0, 12)}…`,
        'copy or save the image again; nothing was kept',
      );
  }
}

/**
 * Copies `source` into tar's stdin, and reads `source` to its end even when tar stops early: GNU tar
 * exits once it has seen the end-of-archive blocks, leaving the record's zero padding unread. The rest
 * is still hashed (a layer's digest covers the whole file) and a producer such as mmdebstrap is not cut
 * off by a broken pipe. That rest is bounded: a file is read only up to its checked size. Cancel stops
 * the reading at once, whether tar is still running or not. Resolves with the source's own read error, if any.
 */
export function feed(
  source: NodeJS.ReadableStream,
  sink: NodeJS.WritableStream & { writable: boolean },
  onChunk: (chunk: Buffer) => void,
  signal?: AbortSignal,
): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let open = true;
    let settled = false;
    const settle = (e?: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(e);
    };
    const onAbort = () => {
      open = false;
      (source as NodeJS.ReadableStream & { destroy?(): void }).destroy?.();
      settle();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const closeSink = () => {
      open = false;
      source.resume();
    };
    sink.on('error', closeSink); // EPIPE: tar is done (or failed: its own error says why)
    sink.on('close', closeSink);
    source.on('data', (chunk: Buffer) => {
      if (settled) return;
      onChunk(chunk);
      if (open && sink.writable && !sink.write(chunk)) {
        source.pause();
        sink.once('drain', () => source.resume());
      }
    });
    source.on('end', () => {
      if (open && sink.writable) sink.end();
      settle();
    });
    source.on('error', (e: Error) => {
      if (open && sink.writable) sink.end();
      settle(e);
    });
  });
}

export const cancelled = (): BurrowError => new BurrowError('cancelled', 'import cancelled; nothing was kept');
