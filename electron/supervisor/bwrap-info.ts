// bwrap writes {"child-pid": N, "<ns>-namespace": …} to its --info-fd once PID 1 exists; the launch script
// points that fd at a file in the machine's runtime folder. The supervisor learns of it from inotify on the
// folder (it used to read the file every 5 ms until it was complete).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Disposable } from '../engine/disposable';
import { watchFolder } from '../engine/folder-watch';

/** PID 1's host pid from bwrap's info text; undefined until the text is complete (bwrap writes it in pieces). */
export function parseBwrapInfo(text: string): number | undefined {
  try {
    const pid = (JSON.parse(text) as { 'child-pid'?: unknown })['child-pid'];
    return Number.isSafeInteger(pid) && (pid as number) > 0 ? (pid as number) : undefined;
  } catch {
    return undefined;
  }
}

/** Where inotify is refused, the folder is read this often instead (what the supervisor always did). */
const FALLBACK_MS = 5;

/** Calls `onPid1` once, when the info file at `file` names PID 1. The file should not exist yet. */
export function whenBwrapInfo(file: string, onPid1: (pid: number) => void): Disposable {
  const base = path.basename(file);
  let done = false;
  const look = (name: string | undefined) => {
    if (done || (name !== undefined && name !== base)) return;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return; // not there yet
    }
    const pid = parseBwrapInfo(text);
    if (pid === undefined) return;
    done = true;
    watch.dispose();
    onPid1(pid);
  };
  const watch = watchFolder(path.dirname(file), look, {
    fallbackMs: FALLBACK_MS,
    onFallback: (reason) => process.stderr.write(`supervisor: cannot watch ${path.dirname(file)} (${reason}); reading bwrap's info every ${FALLBACK_MS} ms instead\n`),
  });
  // Written already (bwrap can be that quick on a busy host): still told later, never from within this
  // call, whose caller may not hold what it returns yet.
  queueMicrotask(() => look(undefined));
  return { dispose: () => ((done = true), watch.dispose()) };
}
