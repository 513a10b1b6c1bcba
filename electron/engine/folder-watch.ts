// Events instead of polling: tells its owner when something in a folder may have changed (inotify, through
// fs.watch). It never throws at its owner and never stops telling:
// - a folder that does not exist (yet) is waited for by watching its nearest existing parent;
// - a folder that is removed or replaced is noticed (an event on the folder itself) and watched anew;
// - where inotify refuses (ENOSPC: the user's watches are used up, EMFILE, EACCES), it looks every
//   `fallbackMs` instead, says so once, and keeps trying to watch again.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Disposable } from './disposable';

export interface FolderWatchOptions {
  /** How often to look where the folder cannot be watched. */
  fallbackMs: number;
  /** Told once per fallback, with the reason, when events are replaced by looking every fallbackMs. */
  onFallback?: (reason: string) => void;
  /** fs.watch, replaceable in tests (to refuse like a host without inotify watches left). */
  watch?: (dir: string, listener: (event: string, name: string | Buffer | null) => void) => fs.FSWatcher;
}

type Change = (name: string | undefined) => void;

const inode = (dir: string): number | undefined => {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() ? st.ino : undefined;
  } catch {
    return undefined;
  }
};

/** The folder itself when it exists, else its nearest existing parent and the name under it that leads to the folder. */
function nearestExisting(dir: string): { target: string; next?: string } {
  let target = dir;
  let next: string | undefined;
  while (inode(target) === undefined) {
    const parent = path.dirname(target);
    if (parent === target) break;
    next = path.basename(target);
    target = parent;
  }
  return { target, next };
}

/**
 * Calls `onChange(name)` for each change in `dir` (name: the entry that changed), and `onChange(undefined)`
 * when anything may have changed (the folder appeared, went, was replaced, or is being looked at in a fallback).
 */
export function watchFolder(dir: string, onChange: Change, opts: FolderWatchOptions): Disposable {
  const watch = opts.watch ?? ((d, l) => fs.watch(d, { persistent: true }, l));
  let watcher: fs.FSWatcher | undefined;
  let poll: NodeJS.Timeout | undefined;
  let watchedInode: number | undefined;
  let disposed = false;
  let saidFallback = false;

  const fallBack = (reason: string) => {
    watcher?.close();
    watcher = undefined;
    if (!saidFallback) opts.onFallback?.(reason);
    saidFallback = true;
    poll ??= setInterval(() => {
      onChange(undefined);
      arm(); // the limit may have been raised, or watches freed
    }, opts.fallbackMs);
    poll.unref?.();
  };

  const arm = () => {
    if (disposed) return;
    watcher?.close();
    watcher = undefined;
    const { target, next } = nearestExisting(dir);
    try {
      const atFolder = target === dir;
      const own = path.basename(dir);
      watcher = watch(target, (_event, raw) => {
        const name = raw === null ? undefined : raw.toString();
        if (!atFolder) {
          // Waiting for the folder: only the entry leading to it matters.
          if (name === undefined || name === next) rearm();
          return;
        }
        // An event on the folder itself (removed, replaced, its mode changed) carries the folder's own name.
        if (name === undefined || name === own) {
          if (inode(dir) !== watchedInode) return rearm();
        }
        onChange(name);
      });
      watcher.on('error', (e: NodeJS.ErrnoException) => fallBack(`${e.code ?? e.message}`));
      watchedInode = atFolder ? inode(dir) : undefined;
    } catch (e) {
      return fallBack((e as NodeJS.ErrnoException).code ?? (e as Error).message);
    }
    if (poll) {
      clearInterval(poll);
      poll = undefined;
      saidFallback = false;
    }
    // The folder may have appeared between looking and watching its parent.
    // (Later, never from within watchFolder() itself: the owner may not hold the disposable yet.)
    if (target !== dir && nearestExisting(dir).target !== target) queueMicrotask(rearm);
  };

  const rearm = () => {
    if (disposed) return;
    arm();
    onChange(undefined);
  };

  arm();
  return {
    dispose: () => {
      disposed = true;
      watcher?.close();
      clearInterval(poll);
    },
  };
}
