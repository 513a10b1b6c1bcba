import { formatBytes } from '../../electron/contract/format-units';
import { cancelJob, useLifecycle } from '../state/lifecycle';

/** A running clone, export, snapshot or restore: what it does, how far, and Cancel. Nothing once it ended. */
export function JobProgress({ job, what }: { job: string; what: string }) {
  const p = useLifecycle((s) => s.jobs[job]);
  if (!p || p.done) return null;
  const pct = p.totalBytes ? Math.min(100, Math.floor((p.bytes / p.totalBytes) * 100)) : undefined;
  return (
    <div className="job lifecycle-job" role="status" aria-live="polite">
      <progress max={100} value={pct} aria-label={`Progress of ${what}`} />
      <span>
        {what}: {p.phase}
        {pct !== undefined ? ` · ${pct}% of ${formatBytes(p.totalBytes)}` : p.bytes ? ` · ${formatBytes(p.bytes)}` : ''}
        {p.entries ? ` · ${p.entries} files` : ''}
      </span>
      <button onClick={() => cancelJob(job)}>Cancel</button>
    </div>
  );
}
