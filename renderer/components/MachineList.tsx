import { useMemo } from 'react';
import { useStore } from '../state/store';
import { StateChip } from './StateChip';
import { MachineDiskUse, useDiskRefresh } from './DiskUse';

export function MachineList() {
  const all = useStore((s) => s.machines);
  const machines = useMemo(() => Object.values(all).sort((a, b) => a.profile.name.localeCompare(b.profile.name)), [all]);
  const view = useStore((s) => s.view);
  const loaded = useStore((s) => s.loaded);
  useDiskRefresh(machines.map((m) => `${m.profile.name}:${m.status.state}`).join(','));
  if (!loaded) return null;
  if (!machines.length) return <p className="hint pad">No machines yet: create one.</p>;
  return (
    <ul className="machine-list">
      {machines.map(({ profile, status }) => {
        const selected = (view.kind === 'machine' && view.name === profile.name) || (view.kind === 'wizard' && view.edit === profile.name);
        return (
          <li key={profile.name}>
            <button
              className={selected ? 'selected' : ''}
              aria-current={selected ? 'page' : undefined}
              onClick={() => useStore.getState().show({ kind: 'machine', name: profile.name })}
            >
              <span className="name" title={profile.name}>
                {profile.name}
              </span>
              <StateChip status={status} />
              <MachineDiskUse name={profile.name} />
              {status.state === 'starting' && status.statusText && <span className="progress">{status.statusText}</span>}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
