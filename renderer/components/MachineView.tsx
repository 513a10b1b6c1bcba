import { useEffect } from 'react';
import { isLive, isUp } from '../../electron/contract/machine-state';
import { riskyChoices } from '../../electron/contract/risks';
import type { MachineTab } from '../state/route';
import { useStore } from '../state/store';
import { machineTerminals } from '../terminals/sessions';
import { ConsoleTab } from './ConsoleTab';
import { JournalTab } from './JournalTab';
import { MachineFacts } from './MachineFacts';
import { MountsTab } from './MountsTab';
import { RiskList } from './RiskList';
import { ShellTab } from './ShellTab';
import { UnitsTab } from './UnitsTab';
import { MachineHeader } from './MachineHeader';
import { SnapshotTimeline } from './SnapshotTimeline';

const TABS = ['Console', 'Shell', 'Journal', 'Units', 'Mounts', 'Snapshots'] as const;
type Tab = (typeof TABS)[number];
/** The tab as the address names it (`#/machine/web/shell`), and back. */
const tabId = (t: Tab) => t.toLowerCase() as MachineTab;
const tabOf = (id: MachineTab | undefined): Tab => TABS.find((t) => tabId(t) === id) ?? 'Console';

export function MachineView({ name, tab: routeTab }: { name: string; tab?: MachineTab }) {
  const item = useStore((s) => s.machines[name]);
  const loaded = useStore((s) => s.loaded);
  const home = useStore((s) => s.host?.home);
  const tab = tabOf(routeTab);
  const setTab = (t: Tab) => useStore.getState().show({ kind: 'machine', name, tab: tabId(t) }, { replace: true });
  // The machine's terminals and shell tabs outlive this view (switching machines keeps the sessions).
  const terminals = machineTerminals(name);
  // A new launch, or none, ends the last launch's terminals (App follows machines in the background too).
  useEffect(() => terminals.follow(item?.status.state ?? 'stopped', item?.status.startedAt), [terminals, item?.status.state, item?.status.startedAt]);
  if (!item) return <p className="pad">{loaded ? `There is no machine named ${name}.` : 'Loading…'}</p>;
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
      <MachineHeader item={item} />
      <MachineFacts item={item} up={up} />
      {home !== undefined && <RiskList risks={riskyChoices(profile, { home })} />}
      <div role="tablist" aria-label="Machine views" className="tabs">
        {TABS.map((t, i) => (
          <button
            key={t}
            id={`tab-${t}`}
            role="tab"
            aria-selected={tab === t}
            aria-controls={`panel-${t}`}
            tabIndex={tab === t ? 0 : -1}
            onClick={() => setTab(t)}
            onKeyDown={(e) => onTabKey(e, i)}
          >
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
          live ? (
            <UnitsTab name={name} />
          ) : (
            <p className="pad">Units are listed and managed while {name} runs. What its last boot logged is in the Journal tab.</p>
          )
        ) : (
          <MountsTab name={name} live={up} />
        )}
      </div>
    </section>
  );
}
