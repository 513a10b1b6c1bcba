import { useSyncExternalStore } from 'react';
import type { MachineTerminals } from '../terminals/sessions';
import { TerminalView } from '../terminals/TerminalView';

/** Root shells inside a running machine, one per sub-tab (nsenter: no login, no password). */
export function ShellTab({ name, live, terminals }: { name: string; live: boolean; terminals: MachineTerminals }) {
  const { tabs } = useSyncExternalStore(terminals.subscribe, terminals.snapshot);
  if (!live) return <p className="pad">Start {name} to open a shell in it: a root shell, no password needed.</p>;
  return (
    <div className="shells">
      <div className="subtabs" role="toolbar" aria-label="Shells">
        {tabs.ids.map((n) => (
          <span key={n} className="subtab">
            <button aria-pressed={tabs.current === n} onClick={() => terminals.selectShell(n)}>
              Shell {n}
            </button>
            <button className="close" aria-label={`Close shell ${n}`} title="Close this shell (its processes end)" onClick={() => terminals.closeShell(n)}>
              ×
            </button>
          </span>
        ))}
        <button aria-label="New shell" onClick={() => terminals.openShell()}>
          +
        </button>
      </div>
      <TerminalView key={tabs.current} owner={terminals} which={tabs.current} label={`Shell ${tabs.current} in ${name}`} />
    </div>
  );
}
