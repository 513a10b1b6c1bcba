import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { JournalEntry } from '../../electron/contract/api';
import { getApi } from '../api/client';
import type { MachineTerminals } from '../terminals/sessions';
import { TerminalView } from '../terminals/TerminalView';
import { VirtualList } from './VirtualList';

const PRIORITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const PAGE = 1000;

export function JournalTab({ name, terminals }: { name: string; terminals: MachineTerminals }) {
  const [mode, setMode] = useState<'list' | 'terminal'>('list');
  const [entries, setEntries] = useState<JournalEntry[]>([]);
  const [unit, setUnit] = useState('');
  const [priority, setPriority] = useState(7);
  const [search, setSearch] = useState('');
  const [lines, setLines] = useState(PAGE);
  const [following, setFollowing] = useState(true);
  const [error, setError] = useState<string>();
  const atBottom = useRef(true);

  const load = useCallback(async () => {
    try {
      const q = { lines, priority, ...(unit.trim() ? { unit: unit.trim() } : {}) };
      setEntries(await getApi().invoke('machines.journal', name, q));
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [name, unit, priority, lines]);

  useEffect(() => {
    void load();
    if (!following) return;
    const t = setInterval(() => void load(), 2000);
    return () => clearInterval(t);
  }, [load, following]);

  const shown = useMemo(() => {
    const needle = search.toLowerCase();
    return needle ? entries.filter((e) => e.message.toLowerCase().includes(needle) || e.unit?.toLowerCase().includes(needle)) : entries;
  }, [entries, search]);

  if (mode === 'terminal') {
    return (
      <div className="journal">
        <div className="toolbar">
          <button onClick={() => setMode('list')}>Show as list</button>
        </div>
        <TerminalView owner={terminals} which="journal" label={`Journal of ${name} (journalctl -f)`} />
      </div>
    );
  }
  return (
    <div className="journal">
      <div className="toolbar" role="toolbar" aria-label="Journal filters">
        <label>
          Unit <input value={unit} onChange={(e) => setUnit(e.target.value)} placeholder="all units" aria-label="Filter by unit" />
        </label>
        <label>
          Priority{' '}
          <select value={priority} onChange={(e) => setPriority(Number(e.target.value))} aria-label="Highest priority shown">
            {PRIORITIES.map((p, i) => (
              <option key={p} value={i}>
                {p} and more urgent
              </option>
            ))}
          </select>
        </label>
        <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search" aria-label="Search the journal" />
        <button aria-pressed={following} onClick={() => setFollowing(!following)}>
          {following ? 'Pause' : 'Follow'}
        </button>
        <button onClick={() => setMode('terminal')}>journalctl -f</button>
        <span className="hint">{shown.length} entries</span>
      </div>
      {error && <p className="error-text" role="alert">{error}</p>}
      <VirtualList
        items={shown}
        rowHeight={20}
        label={`Journal of ${name}`}
        stickToBottom={following && atBottom.current}
        onScroll={(top, bottom) => {
          atBottom.current = bottom;
          if (top && entries.length >= lines) setLines(lines + PAGE);
        }}
        render={(e) => (
          <div className={`jrow p${e.priority}`} title={new Date(e.time).toISOString()}>
            <span className="jtime">{new Date(e.time).toLocaleTimeString()}</span>
            <span className="junit">{e.unit ?? e.identifier ?? ''}</span>
            <span className="jmsg">{e.message}</span>
          </div>
        )}
        rowKey={(e) => e.cursor}
      />
    </div>
  );
}
