// What a clone, snapshot, restore or export is making, written down before it makes it, so that a run
// killed halfway (SIGKILL, power cut) is undone by the next command: $XDG_DATA_HOME/burrow/jobs/PID.START.json
// lists the paths the job made; a job whose process is gone gets them removed, frozen machines thawed, and
// a folder it moved aside put back. The image store does the same with its own partial folders.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from './atomic-file';
import { removeMappedTree } from './mapped-exec';
import { dataDir } from './paths';
import { exists as profileExists } from './profiles';
import { processStartTime } from './runtime-state';

export type JournalEntry =
  /** Remove this path (a partial copy, a folder moved aside), unless the machine named was created meanwhile. */
  | { remove: string; unlessMachine?: string }
  /** Move this path back to `to` if `to` is missing (a folder swapped out halfway). */
  | { moveBack: string; to: string }
  /** Thaw this machine's processes (frozen for a consistent copy). */
  | { thaw: string };

export interface Job {
  readonly id: string;
  add(entry: JournalEntry): void;
  /** The job completed: nothing is left to clean up. */
  done(): void;
  /** The job failed or was cancelled: undo what it wrote down, newest first, then forget it. */
  undo(thaw: (machine: string) => void): void;
}

const jobsDir = (): string => path.join(dataDir(), 'jobs');
const JOB_RE = /^(\d+)\.(\d+)\.json$/;
/** Names of what jobs make outside the data folder (an export's partial file, a rootfs being restored). */
export const PARTIAL_MARK = '.burrow-partial.';
export const OLD_MARK = '.burrow-old.';

export const jobTag = (): string => `${process.pid}.${processStartTime(process.pid)}`;

/** This process's entries, all jobs together (the web host may run several at once). */
const ours: JournalEntry[] = [];

export function beginJob(): Job {
  fs.mkdirSync(jobsDir(), { recursive: true, mode: 0o700 });
  const file = path.join(jobsDir(), `${jobTag()}.json`);
  const own: JournalEntry[] = [];
  const write = () => (ours.length ? writeJsonAtomic(file, { entries: ours }, 0o600) : fs.rmSync(file, { force: true }));
  return {
    id: `${jobTag()}.${Math.random().toString(36).slice(2, 8)}`,
    add(entry) {
      ours.push(entry);
      own.push(entry);
      write();
    },
    done() {
      for (const e of own) ours.splice(ours.indexOf(e), 1);
      own.length = 0;
      write();
    },
    undo(thaw) {
      for (const e of [...own].reverse()) {
        try {
          undo(e, thaw);
        } catch {
          /* left in the journal's file until done(); the next command tries again */
        }
      }
      this.done();
    },
  };
}

function readEntries(file: string): JournalEntry[] {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { entries?: unknown };
    return Array.isArray(parsed.entries) ? (parsed.entries as JournalEntry[]) : [];
  } catch {
    return [];
  }
}

/**
 * A path a journal may name: inside the data folder, or marked as ours by its name. A journal file is the
 * user's own, but this keeps a stray one from pointing the cleanup at anything else.
 */
export function mayTouch(p: unknown): p is string {
  if (typeof p !== 'string' || !path.isAbsolute(p) || p.split('/').includes('..')) return false;
  const base = path.basename(p);
  return p.startsWith(dataDir() + path.sep) || base.includes(PARTIAL_MARK) || base.includes(OLD_MARK);
}

/** `DIR/.BASE.burrow-old.…` is what `DIR/BASE` was renamed to while it was replaced. */
export function isMovedAside(aside: unknown, to: unknown): boolean {
  if (typeof aside !== 'string' || typeof to !== 'string' || !path.isAbsolute(to) || to.split('/').includes('..')) return false;
  return path.dirname(aside) === path.dirname(to) && path.basename(aside).startsWith(`.${path.basename(to)}${OLD_MARK}`);
}

/**
 * Undoes what jobs whose process is gone left halfway. Cheap when there is nothing to do. `thaw` comes from
 * freeze.ts (call `sweepJobs` there), which keeps cgroup code out of this file.
 */
export function sweepAbandonedJobs(thaw: (machine: string) => void): void {
  let names: string[];
  try {
    names = fs.readdirSync(jobsDir());
  } catch {
    return;
  }
  for (const name of names) {
    const m = JOB_RE.exec(name);
    if (!m) continue;
    const alive = processStartTime(Number(m[1]));
    if (alive !== undefined && alive === Number(m[2])) continue;
    const file = path.join(jobsDir(), name);
    try {
      // Last in, first out: a folder moved back before the copy that replaced it is removed.
      for (const e of readEntries(file).reverse()) undo(e, thaw);
      fs.rmSync(file, { force: true });
    } catch {
      /* tried again by the next command */
    }
  }
}

function undo(e: JournalEntry, thaw: (machine: string) => void): void {
  if ('thaw' in e) {
    if (typeof e.thaw === 'string') thaw(e.thaw);
  } else if ('moveBack' in e) {
    if (isMovedAside(e.moveBack, e.to) && fs.existsSync(e.moveBack) && !fs.existsSync(e.to)) fs.renameSync(e.moveBack, e.to);
  } else if (mayTouch(e.remove) && !(e.unlessMachine && profileExists(e.unlessMachine))) {
    removeMappedTree(e.remove);
  }
}
