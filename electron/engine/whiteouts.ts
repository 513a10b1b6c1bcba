// OCI whiteouts, applied to the layers below before a layer is unpacked: `dir/.wh.NAME` removes
// dir/NAME, `dir/.wh..wh..opq` empties dir. Both halves run in the sandbox where only the image is
// writable: tar lists the layer there (the layer bound read-only), and the deletions run there too.
//
// Names are taken literally. tar prints them with `--quoting-style=escape` under LC_ALL=C, which turns
// every byte that is not printable ASCII (a newline, a backslash, UTF-8) into a C escape, so one line
// is one name whatever it holds; unescapeTarName gives the exact bytes back, and the deletions receive
// them NUL-separated (xargs -0), never through a shell's word splitting. (Reading tar headers here instead
// would need our own decompressors for zstd and our own PAX parser; tar already has both, in the sandbox.)
// The listing streams through a bounded line buffer into the deleter: memory stays flat for any layer.
import type { ChildProcess } from 'node:child_process';
import { shownName } from './archive-files';
import { BurrowError } from './errors';
import { TAR_DECOMPRESS, type Layer } from './image-formats';
import { spawnSandboxed } from './mapped-exec';
import { cancelled, explainTarErrors } from './tar-extract';

/** Where the layer appears in the listing's sandbox. */
const SANDBOX_LAYER = '/layer';
/** One listed name, escaped: a path is at most 4096 bytes, each byte at most 4 characters escaped. */
export const MAX_LISTED_NAME = 4 * 4096;

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Undoes tar's `escape` quoting style: the name's bytes, one character per byte (latin1). */
export function unescapeTarName(line: string): string {
  return line.replace(/\\([0-7]{1,3}|[\s\S])/g, (_m, e: string) => (/^[0-7]/.test(e) ? String.fromCharCode(parseInt(e, 8) & 0xff) : (SIMPLE_ESCAPES[e] ?? e)));
}

export interface WhiteoutOp {
  kind: 'remove' | 'empty';
  /** Relative to the image's root, starting with `./` (so no name is ever read as an option). */
  path: string;
}

const hostile = (listed: string, why: string) =>
  new BurrowError('import-failed', `a layer holds a whiteout that ${why} (${listed})`, 'the image is hostile or corrupt: it was refused and nothing was kept');

/**
 * What one entry of a layer deletes, if it is a whiteout. `name` is the entry's bytes as latin1,
 * `listed` its printable form for messages. Refuses a whiteout that would delete its own folder
 * (`.wh..`, `.wh.`), climb (`..`) or name an absolute path.
 */
export function whiteoutOp(name: string, listed = shownName(name)): WhiteoutOp | undefined {
  let rel = name;
  while (rel.startsWith('./')) rel = rel.slice(2);
  rel = rel.replace(/\/+$/, '');
  const parts = rel.split('/');
  const base = parts.pop()!;
  if (!base.startsWith('.wh.')) return undefined;
  if (rel.startsWith('/')) throw hostile(listed, 'names an absolute path');
  if (parts.includes('..')) throw hostile(listed, 'climbs out of the image');
  const dir = ['.', ...parts].join('/');
  if (base === '.wh..wh..opq') return { kind: 'empty', path: dir };
  // Other `.wh..wh.` names are reserved (aufs kept its own metadata so): nothing to delete.
  if (base.startsWith('.wh..wh.')) return undefined;
  const target = base.slice('.wh.'.length);
  if (target === '' || target === '.') throw hostile(listed, 'would delete its own folder');
  if (target === '..') throw hostile(listed, 'climbs out of the image');
  return { kind: 'remove', path: `${dir}/${target}` };
}

/** Splits a stream into lines without ever holding more than `max` characters of one. */
class LineSplitter {
  private pending = '';
  constructor(
    private readonly max: number,
    private readonly onLine: (line: string) => void,
  ) {}

  push(chunk: string): void {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop()!;
    for (const line of lines) {
      this.check(line);
      this.onLine(line);
    }
    this.check(this.pending);
  }

  end(): void {
    if (this.pending) this.onLine(this.pending);
    this.pending = '';
  }

  private check(line: string): void {
    if (line.length > this.max)
      throw new BurrowError(
        'import-failed',
        `a layer holds an entry whose name is longer than ${this.max / 4} bytes (${shownName(line.slice(0, 60))}…)`,
        'no file system accepts such a name: the image is corrupt or hostile; nothing was kept',
      );
  }
}

// Each argument is one operation: its first byte says which, the rest is the path.
const DELETER =
  'for a; do p=${a#?}; case $a in ' +
  'O*) if [ -d "$p" ]; then find "$p" -mindepth 1 -maxdepth 1 -exec rm -rf -- {} + || exit 255; fi;; ' +
  '*) rm -rf -- "$p" || exit 255;; esac; done';

/** Applies a layer's whiteouts to the image below; cancel ends the listing and the deletions at once. */
export async function applyWhiteouts(rootfs: string, layer: Layer, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw cancelled();
  const children: ChildProcess[] = [];
  const kill = () => {
    for (const c of children) {
      c.stdout!.resume(); // what is still buffered must not hold the exit back
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  };
  let failure: unknown;
  const fail = (e: unknown) => {
    failure ??= e;
    kill();
  };
  const onAbort = () => fail(cancelled());
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const lister = spawnSandboxed(
      rootfs,
      ['tar', '-t', '--quoting-style=escape', ...TAR_DECOMPRESS[layer.compression], '-f', SANDBOX_LAYER],
      [{ source: layer.file.path, dest: SANDBOX_LAYER }],
      { writable: false },
    );
    children.push(lister);
    lister.stdin!.end();
    const listerDone = exitOf(lister);
    let deleter: ChildProcess | undefined;
    let deleterDone: Promise<{ code: number | null; stderr: string }> | undefined;
    const send = (op: WhiteoutOp) => {
      if (!deleter) {
        deleter = spawnSandboxed(rootfs, ['xargs', '-0', '-r', 'sh', '-c', DELETER, 'burrow-whiteouts']);
        children.push(deleter);
        deleter.stdin!.on('error', () => undefined); // a deleter that failed says why in its exit
        deleter.stdout!.resume();
        deleterDone = exitOf(deleter).then((r) => {
          // Failed before the listing ended (a deletion refused): stop the listing too, or it waits on a full pipe.
          if (r.code !== 0)
            fail(
              new BurrowError(
                'import-failed',
                `a layer's deletions could not be applied: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}`,
                'the image is corrupt or hostile; nothing was kept',
              ),
            );
          return r;
        });
      }
      const record = Buffer.from(`${op.kind === 'empty' ? 'O' : 'R'}${op.path}\0`, 'latin1');
      if (!deleter.stdin!.write(record)) {
        lister.stdout!.pause();
        deleter.stdin!.once('drain', () => lister.stdout!.resume());
      }
    };
    const lines = new LineSplitter(MAX_LISTED_NAME, (line) => {
      const op = whiteoutOp(unescapeTarName(line), line);
      if (op) send(op);
    });
    lister.stdout!.setEncoding('latin1');
    lister.stdout!.on('data', (d: string) => {
      if (failure) return;
      try {
        lines.push(d);
      } catch (e) {
        fail(e);
      }
    });
    const listed = await listerDone;
    if (!failure) {
      try {
        lines.end();
      } catch (e) {
        fail(e);
      }
    }
    if (!failure && listed.code !== 0) {
      fail(
        explainTarErrors(listed.stderr, listed.code) ??
          new BurrowError(
            'import-failed',
            `a layer cannot be read: ${listed.stderr.trim().split('\n')[0] || `tar exited ${listed.code}`}`,
            'the image is corrupt: save or copy it again; nothing was kept',
          ),
      );
    }
    if (deleter) {
      if (!failure) deleter.stdin!.end();
      await deleterDone;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure;
}

/** A child's exit code with the last few KiB of what it complained about. */
function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8192)));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}
