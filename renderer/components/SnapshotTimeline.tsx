import { useEffect, useState } from 'react';
import type { MachineListItem } from '../../electron/contract/api';
import type { SnapshotListView, SnapshotView } from '../../electron/contract/lifecycle';
import { formatBytes } from '../../electron/contract/format-units';
import { getApi } from '../api/client';
import { cloneMachine, deleteSnapshot, restoreSnapshot, takeSnapshot, useLifecycle, watchLifecycle } from '../state/lifecycle';
import { useStore } from '../state/store';
import { JobProgress } from './JobProgress';

type Asking = { kind: 'restore' | 'delete'; snap: SnapshotView } | { kind: 'branch'; snap: SnapshotView; name: string };

const when = (iso: string) => new Date(iso).toLocaleString();
const title = (s: SnapshotView) => `snapshot ${s.id}${s.label ? ` “${s.label}”` : ''}`;

/** The machine's snapshots, newest first: take one with a label, restore, branch into a new machine, delete. */
export function SnapshotTimeline({ item }: { item: MachineListItem }) {
  const { profile, status } = item;
  const name = profile.name;
  const live = ['starting', 'running', 'degraded', 'stopping'].includes(status.state);
  const version = useLifecycle((s) => s.version);
  const busy = useLifecycle((s) => ['snapshot', 'restore'].some((k) => s.jobs[`${k}:${name}`] && !s.jobs[`${k}:${name}`]!.done));
  const [list, setList] = useState<SnapshotListView>();
  const [error, setError] = useState<string>();
  const [label, setLabel] = useState('');
  const [asking, setAsking] = useState<Asking>();
  useEffect(watchLifecycle, []);
  useEffect(() => {
    let stale = false;
    getApi()
      .invoke('machines.snapshots', name)
      .then(
        (l) => !stale && (setList(l), setError(undefined)),
        (e: Error) => !stale && setError(e.message),
      );
    return () => void (stale = true);
  }, [name, version, status.state]);

  if (profile.storage === 'ephemeral')
    return (
      <p className="pad">{name} forgets its changes at every stop, so there is nothing to snapshot. Edit it and choose “Keep changes apart” to keep them.</p>
    );
  if (error)
    return (
      <p className="pad error-text" role="alert">
        {error}
      </p>
    );
  if (!list) return <p className="pad hint">Reading snapshots…</p>;

  const confirm = async () => {
    if (!asking) return;
    setAsking(undefined);
    if (asking.kind === 'restore') await restoreSnapshot(name, asking.snap.id, live);
    else if (asking.kind === 'delete') await deleteSnapshot(name, asking.snap.id);
    else if (asking.kind === 'branch' && (await cloneMachine(`${name}@${asking.snap.id}`, asking.name)))
      useStore.getState().show({ kind: 'machine', name: asking.name });
  };
  const snapshots = [...list.snapshots].reverse();
  return (
    <div className="pad snapshots">
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void takeSnapshot(name, label).then((r) => r && setLabel(''));
        }}
      >
        <label>
          Label <input value={label} maxLength={200} placeholder="before upgrade" onChange={(e) => setLabel(e.target.value)} disabled={busy} />
        </label>
        <button className="primary" type="submit" disabled={busy || status.state === 'starting' || status.state === 'stopping'}>
          Take snapshot
        </button>
        <span className="hint">{live ? `${name} is paused for a moment while its changes are copied.` : 'Instant: its changes become a read-only layer.'}</span>
      </form>
      <JobProgress job={`snapshot:${name}`} what={`Snapshot of ${name}`} />
      <JobProgress job={`restore:${name}`} what={`Restore of ${name}`} />
      {asking && (
        <div className="confirm" role="alertdialog" aria-label={`${asking.kind} ${title(asking.snap)}`}>
          {asking.kind === 'restore' && (
            <p>
              Restore {name} to {title(asking.snap)}? Everything it changed since is discarded{live ? `; ${name} is stopped first` : ''}. Other snapshots stay.
            </p>
          )}
          {asking.kind === 'delete' && (
            <p>
              Delete {title(asking.snap)} of {name}?{' '}
              {asking.snap.ownBytes ? `It frees ${formatBytes(asking.snap.ownBytes)}.` : 'Other snapshots or the machine still use its files.'}
            </p>
          )}
          {asking.kind === 'branch' && (
            <label>
              New machine from {title(asking.snap)}:{' '}
              <input aria-label="Name of the new machine" value={asking.name} onChange={(e) => setAsking({ ...asking, name: e.target.value })} />
            </label>
          )}
          <button
            className={asking.kind === 'delete' ? 'danger' : 'primary'}
            onClick={() => void confirm()}
            disabled={asking.kind === 'branch' && !asking.name}
          >
            {asking.kind === 'restore' ? (live ? 'Stop and restore' : 'Restore') : asking.kind === 'delete' ? 'Delete snapshot' : 'Create machine'}
          </button>
          <button onClick={() => setAsking(undefined)}>Cancel</button>
        </div>
      )}
      {snapshots.length ? (
        <ol className="timeline" aria-label={`Snapshots of ${name}`}>
          {snapshots.map((s) => (
            <li key={s.id} className={s.current ? 'current' : ''}>
              <div className="what">
                <strong>{s.label ?? 'no label'}</strong> <span className="chip">@{s.id}</span>
                {s.current && (
                  <span className="chip state-running" title={`${name}'s current changes sit on this snapshot`}>
                    current
                  </span>
                )}
              </div>
              <div className="hint">
                {when(s.createdAt)} · {s.ownBytes !== undefined ? `${formatBytes(s.ownBytes)} of its own` : ''}
              </div>
              <div className="snapshot-actions">
                <button disabled={busy} onClick={() => setAsking({ kind: 'restore', snap: s })}>
                  Restore
                </button>
                <button disabled={busy} onClick={() => setAsking({ kind: 'branch', snap: s, name: `${name}-${s.id}`.slice(0, 63) })}>
                  Branch…
                </button>
                <button className="danger" disabled={busy} onClick={() => setAsking({ kind: 'delete', snap: s })}>
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ol>
      ) : (
        <p className="hint">No snapshots yet. Take one before a risky change (an upgrade, a new package): restoring it takes one click.</p>
      )}
    </div>
  );
}
