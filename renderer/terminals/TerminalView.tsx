import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { LiveTerminal, TerminalKind } from './registry';
import type { MachineTerminals } from './sessions';

/**
 * Shows one of a machine's terminals: its console, its journal, or shell number `which`. The terminal belongs to `owner`
 * (sessions.ts), which makes it on first view and disposes it; this view only attaches its element while
 * shown, so a tab switch keeps the session.
 */
export function TerminalView({ owner, which, label }: { owner: MachineTerminals; which: Exclude<TerminalKind, 'shell'> | number; label: string }) {
  const kind: TerminalKind = typeof which === 'number' ? 'shell' : which;
  const host = useRef<HTMLDivElement>(null);
  const [query, setQuery] = useState('');
  const { launch } = useSyncExternalStore(owner.subscribe, owner.snapshot);
  const [live, setLive] = useState<LiveTerminal>();

  // Asked for in an effect, not during render: making one starts a session on the host.
  useEffect(() => setLive(which === 'console' ? owner.consoleTerminal() : which === 'journal' ? owner.journalTerminal() : owner.shellTerminal(which)), [owner, which, launch]);

  useEffect(() => {
    const el = host.current;
    if (!el || !live) return;
    el.appendChild(live.element);
    live.attached();
    const fit = () => {
      try {
        live.fit.fit();
      } catch {
        /* not visible yet, or disposed */
      }
    };
    const observer = new ResizeObserver(fit);
    observer.observe(el);
    fit();
    live.term.focus();
    return () => {
      observer.disconnect();
      live.element.remove();
    };
  }, [live]);

  return (
    <div className="terminal-pane">
      <div className="terminal-tools" role="toolbar" aria-label={`${label} tools`}>
        <input
          type="search"
          aria-label={`Search the ${label}`}
          placeholder="Search"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            live?.search.findNext(e.target.value, { incremental: true });
          }}
          onKeyDown={(e) => e.key === 'Enter' && (e.shiftKey ? live?.search.findPrevious(query) : live?.search.findNext(query))}
        />
        <span className="hint">Copy Ctrl+Shift+C · Paste Ctrl+Shift+V</span>
      </div>
      <div className="terminal-host" ref={host} role="region" aria-label={label} data-testid={`terminal-${kind}`} />
    </div>
  );
}
