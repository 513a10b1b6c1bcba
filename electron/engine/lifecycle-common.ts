// What clone, snapshot, restore and export share: one operation per machine at a time, the machine's state
// in the words these commands need, and staging folders the work journal removes if the run is killed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BurrowError } from './errors';
import { sweepJobs, thaw } from './freeze';
import { claimStart } from './machines';
import { ensureRuntimeRoot } from './runtime-root';
import { statusOf } from './runtime-state';
import { beginJob, jobTag, PARTIAL_MARK, type Job } from './work-journal';

/**
 * Runs `work` holding the machine's start claim: no start, clone, snapshot or restore of it meanwhile.
 * First undoes what killed runs left (their partial copies, a machine they froze).
 */
export async function withMachineClaim<T>(names: string[], doing: string, work: () => Promise<T>): Promise<T> {
  sweepJobs();
  const root = ensureRuntimeRoot();
  const claims: { dispose(): void }[] = [];
  try {
    for (const name of names) claims.push(claimStart(root, name, doing));
    return await work();
  } finally {
    for (const c of claims.reverse()) c.dispose();
  }
}

/** stopped (or exited, crashed) vs running; a machine between the two is refused with the reason. */
export function activity(name: string, what: string): 'stopped' | 'running' {
  const s = statusOf(name);
  if (s.state === 'running' || s.state === 'degraded') return 'running';
  if (s.state === 'starting' || s.state === 'stopping')
    throw new BurrowError('already-running', `machine "${name}" is ${s.state}: a ${what} needs it running or stopped`, 'wait a moment and try again');
  return 'stopped';
}

/** A new folder `.NAME.burrow-partial.PID.START` in `parent`, removed by the journal if this run dies. */
export function stagingFolder(job: Job, parent: string, name: string): string {
  fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
  const dir = path.join(parent, `.${name}${PARTIAL_MARK}${jobTag()}`);
  job.add({ remove: dir });
  fs.mkdirSync(dir, { mode: 0o700 });
  return dir;
}

/** Runs `work` as a journaled job: on success it is forgotten, on failure (or cancel) undone at once. */
export async function withJob<T>(work: (job: Job) => Promise<T>): Promise<T> {
  const job = beginJob();
  let result: T;
  try {
    result = await work(job);
  } catch (e) {
    job.undo(thaw);
    throw e;
  }
  job.done();
  return result;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
