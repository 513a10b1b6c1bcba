import { useEffect, useRef, useState } from 'react';
import { describeBootTime } from '../../electron/contract/describe';
import { hasEnded, isLive, isUp } from '../../electron/contract/machine-state';
import { riskyChoices } from '../../electron/contract/risks';
import { machineAction, resetToImage, setAutostart } from '../state/actions';
import { useStore } from '../state/store';
import { machineTerminals } from '../terminals/sessions';
import { ConsoleTab } from './ConsoleTab';
import { JournalTab } from './JournalTab';
import { MachineFacts } from './MachineFacts';
import { MountsTab } from './MountsTab';
import { RiskList } from './RiskList';
import { ShellTab } from './ShellTab';
import { StateChip } from './StateChip';
import { UnitsTab } from './UnitsTab';
import { LifecycleActions } from './LifecycleActions';
import { SnapshotTimeline } from './SnapshotTimeline';

const TABS = ['Console', 'Shell', 'Journal', 'Units', 'Mounts', 'Snapshots'] as const;
type Tab = (typeof TABS)[number];

export function MachineView({ name }: { name: string }) {
  const item = useStore((s) => s.machines[name]);
  const home = useStore((s) => s.host?.home);
  const busy = useStore((s) => s.busy[name]);
  const [tab, setTab] = useState<Tab>('Console');
  // The machine's terminals and shell tabs outlive this view (switching machines keeps the sessions).
  const terminals = machineTerminals(name);
  const heading = useRef<HTMLHeadingElement>(null);
  // Keyboard users land on the machine they just opened or created.
  useEffect(() => heading.current?.focus(), []);
  // A new launch, or none, ends the last launch's terminals (App follows machines in the background too).
  useEffect(() => terminals.follow(item?.status.state ?? 'stopped', item?.status.startedAt), [terminals, item?.status.state, item?.status.startedAt]);
  if (!item) return <p className="pad">Machine {name} is gone.</p>;
  const { status, profile } = item;
  const live = isLive(status);
  const up = isUp(status);

  const onTabKey = (e: React.KeyboardEvent, i: number) => {
    const next = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : -1;
    if (next >= 0) {
      setTab(TABS[next]!);
      document.getElementById(`tab-${TABS[next]}`)?.focus();
    }
  };

  return (
    <section className="machine" aria-label={`Machine ${name}`}>
      <div className="machine-head">
        <h2 ref={heading} tabIndex={-1}>{name}</h2>
        <StateChip status={status} />
        <span className="meta">
          {status.state === 'starting' && (status.statusText ?? 'booting…')}
          {up && status.bootMs !== undefined && describeBootTime(status.bootMs)}
          {status.failedUnits?.length ? ` · failed: ${status.failedUnits.join(', ')}` : ''}
          {hasEnded(status) && status.message}
        </span>
        <div className="actions" role="toolbar" aria-label="Machine actions">
          {!live && <button className="primary" disabled={!!busy} onClick={() => void machineAction(name, 'start')}>{busy === 'start' ? 'Starting…' : 'Start'}</button>}
          {live && <button disabled={!!busy} onClick={() => void machineAction(name, 'stop')}>{busy === 'stop' ? 'Stopping…' : 'Stop'}</button>}
          {live && <button disabled={!!busy} onClick={() => void machineAction(name, 'restart')}>Restart</button>}
          {live && <button className="danger" disabled={busy === 'kill'} onClick={() => void machineAction(name, 'kill')}>Kill</button>}
          <button disabled={!!busy} onClick={() => useStore.getState().show({ kind: 'wizard', editing: profile })}>Edit</button>
          <LifecycleActions item={item} />
          {item.autostart !== undefined && (
            <label className="autostart" title="A unit of your systemd user manager starts this machine when you log in">
              <input type="checkbox" checked={item.autostart} disabled={!!busy} onChange={(e) => void setAutostart(name, e.target.checked)} /> Start at login
            </label>
          )}
          {!live && profile.storage === 'persistent' && (
            <button
              disabled={!!busy}
              title="Discard what this machine changed on top of its image"
              onClick={() => {
                if (confirm(`Reset ${name} to its image? Everything it changed (files, installed packages) is discarded.`)) void resetToImage(name);
              }}
            >
              Reset to image
            </button>
          )}
          {!live && (
            <button
              className="danger"
              disabled={!!busy}
              onClick={() => {
                if (confirm(`Delete machine ${name}? Its image folder ${profile.rootfs} is kept.`)) void machineAction(name, 'remove');
              }}
            >
              Delete
            </button>
          )}
        </div>
      </div>
      <MachineFacts item={item} up={up} />
      {home !== undefined && <RiskList risks={riskyChoices(profile, { home })} />}
      <div role="tablist" aria-label="Machine views" className="tabs">
        {TABS.map((t, i) => (
          <button key={t} id={`tab-${t}`} role="tab" aria-selected={tab === t} aria-controls={`panel-${t}`} tabIndex={tab === t ? 0 : -1} onClick={() => setTab(t)} onKeyDown={(e) => onTabKey(e, i)}>
            {t}
          </button>
        ))}
      </div>
      <div className="tab-panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'Snapshots' ? (
          <SnapshotTimeline item={item} />
        ) : tab === 'Console' ? (
          <ConsoleTab status={status} terminals={terminals} onShell={() => setTab('Shell')} />
        ) : tab === 'Shell' ? (
          <ShellTab name={name} live={live} terminals={terminals} />
        ) : tab === 'Journal' ? (
          <JournalTab name={name} live={live} terminals={terminals} />
        ) : tab === 'Units' ? (
          live ? <UnitsTab name={name} /> : <p className="pad">Units are listed and managed while {name} runs. What its last boot logged is in the Journal tab.</p>
        ) : (
          <MountsTab name={name} live={up} />
        )}
      </div>
    </section>
  );
}
