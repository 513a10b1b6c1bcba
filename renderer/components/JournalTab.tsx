import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { JournalEntry } from '../../electron/contract/api';
import { getApi } from '../api/client';
import type { MachineTerminals } from '../terminals/sessions';
import { TerminalView } from '../terminals/TerminalView';
import { VirtualList } from './VirtualList';

const PRIORITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const PAGE = 1000;

/** Journal entries as rows (time, unit, message), coloured by priority; only what is visible is drawn. */
export function JournalRows({
  entries,
  label,
  follow,
  onScroll,
}: {
  entries: JournalEntry[];
  label: string;
  follow?: boolean;
  onScroll?(atTop: boolean, atBottom: boolean): void;
}) {
  return (
    <VirtualList
      items={entries}
      rowHeight={20}
      label={label}
      stickToBottom={follow}
      onScroll={onScroll}
      render={(e) => (
        <div className={`jrow p${e.priority}`} title={new Date(e.time).toISOString()}>
          <span className="jtime">{new Date(e.time).toLocaleTimeString()}</span>
          <span className="junit">{e.unit ?? e.identifier ?? ''}</span>
          <span className="jmsg">{e.message}</span>
        </div>
      )}
      rowKey={(e) => e.cursor}
    />
  );
}

/**
 * The machine's journal, filtered like `journalctl -u`: followed while it runs; once it stopped, its
 * persistent journal as it left it (read from its disk by the host).
 */
export function JournalTab({ name, live, terminals }: { name: string; live: boolean; terminals: MachineTerminals }) {
  const [mode, setMode] = useState<'list' | 'terminal'>('list');
  const [entries, setEntries] = useState<JournalEntry[]>([]);
  const [unit, setUnit] = useState('');
  const [priority, setPriority] = useState(7);
  const [search, setSearch] = useState('');
  const [lines, setLines] = useState(PAGE);
  const [following, setFollowing] = useState(true);
  const [error, setError] = useState<string>();
  const atBottom = useRef(true);

  // Only the latest read is shown: a poll of the running machine answered after the read from its disk
  // (it stopped meanwhile) would put back the list without its end.
  const latest = useRef(0);
  const load = useCallback(async () => {
    const call = ++latest.current;
    try {
      const q = { lines, priority, ...(unit.trim() ? { unit: unit.trim() } : {}) };
      const got = await getApi().invoke('machines.journal', name, q);
      if (call !== latest.current) return;
      setEntries(got);
      setError(undefined);
    } catch (e) {
      if (call === latest.current) setError((e as Error).message);
    }
  }, [name, unit, priority, lines]);

  useEffect(() => {
    void load();
    if (!following || !live) return;
    const t = setInterval(() => void load(), 2000);
    return () => clearInterval(t);
  }, [load, following, live]);

  // A machine that just stopped: its journal opens at its end, where it says why it stopped (the live
  // list's last scroll position, or a banner that shrank the list, would otherwise leave it mid-way).
  useEffect(() => {
    if (!live) atBottom.current = true;
  }, [live]);

  const shown = useMemo(() => {
    const needle = search.toLowerCase();
    return needle ? entries.filter((e) => e.message.toLowerCase().includes(needle) || e.unit?.toLowerCase().includes(needle)) : entries;
  }, [entries, search]);

  if (mode === 'terminal' && live) {
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
        {live && (
          <>
            <button aria-pressed={following} onClick={() => setFollowing(!following)}>
              {following ? 'Pause' : 'Follow'}
            </button>
            <button onClick={() => setMode('terminal')}>journalctl -f</button>
          </>
        )}
        <span className="hint">{shown.length} entries</span>
      </div>
      {!live && !error && <p className="ended-note">{name} is not running: this is its journal as it left it, read from its disk.</p>}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <JournalRows
        entries={shown}
        label={`Journal of ${name}`}
        follow={(following || !live) && atBottom.current}
        onScroll={(top, bottom) => {
          atBottom.current = bottom;
          if (top && entries.length >= lines) setLines(lines + PAGE);
        }}
      />
    </div>
  );
}
