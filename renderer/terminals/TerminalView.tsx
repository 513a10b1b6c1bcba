import { useEffect, useRef, useState } from 'react';
import { openTerminal, type TerminalKind } from './registry';

/** Shows a live terminal; the session itself lives in the registry and survives unmounting. */
export function TerminalView({ termKey, machine, kind, label }: { termKey: string; machine: string; kind: TerminalKind; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [query, setQuery] = useState('');
  const live = openTerminal(termKey, machine, kind);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    el.appendChild(live.element);
    const fit = () => {
      try {
        live.fit.fit();
      } catch {
        /* not visible yet */
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
            live.search.findNext(e.target.value, { incremental: true });
          }}
          onKeyDown={(e) => e.key === 'Enter' && (e.shiftKey ? live.search.findPrevious(query) : live.search.findNext(query))}
        />
        <span className="hint">Copy Ctrl+Shift+C · Paste Ctrl+Shift+V</span>
      </div>
      <div className="terminal-host" ref={host} role="region" aria-label={label} data-testid={`terminal-${kind}`} />
    </div>
  );
}
