import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { copySelection, pasteClipboard, type LiveTerminal, type TerminalKind } from './registry';
import type { MachineTerminals } from './sessions';
import { TerminalMenu, type MenuItem } from './TerminalMenu';

/**
 * Shows one of a machine's terminals: its console, its journal, or shell number `which`. The terminal belongs to `owner`
 * (sessions.ts), which makes it on first view and disposes it; this view only attaches its element while
 * shown, so a tab switch keeps the session. The host session starts once the terminal is fitted to the
 * pane, at that size.
 */
export function TerminalView({ owner, which, label }: { owner: MachineTerminals; which: Exclude<TerminalKind, 'shell'> | number; label: string }) {
  const kind: TerminalKind = typeof which === 'number' ? 'shell' : which;
  const host = useRef<HTMLDivElement>(null);
  const searchBox = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState('');
  const [menu, setMenu] = useState<{ x: number; y: number }>();
  const [note, setNote] = useState<string>();
  const { launch, last } = useSyncExternalStore(owner.subscribe, owner.snapshot);
  const [live, setLive] = useState<LiveTerminal>();

  // Asked for in an effect, not during render: making one starts a session on the host.
  useEffect(
    () => setLive(which === 'console' ? owner.consoleTerminal() : which === 'journal' ? owner.journalTerminal() : owner.shellTerminal(which)),
    [owner, which, launch, last],
  );

  useEffect(() => {
    const el = host.current;
    if (!el || !live) return;
    el.appendChild(live.element);
    live.attached();
    const fit = () => {
      const size = live.fit.proposeDimensions();
      if (!size || !Number.isFinite(size.cols) || !Number.isFinite(size.rows)) return; // not laid out yet
      try {
        live.fit.fit();
      } catch {
        return; // disposed meanwhile
      }
      live.start();
    };
    const observer = new ResizeObserver(fit);
    observer.observe(el);
    fit();
    // A machine just opened or created puts the focus on its name (MachineHeader), for keyboard and screen
    // reader users: the terminal does not take it from there; it takes it anywhere else (a tab, a new shell).
    if (!(document.activeElement instanceof HTMLHeadingElement)) live.term.focus();
    return () => {
      observer.disconnect();
      live.element.remove();
    };
  }, [live]);

  const closeMenu = useCallback(() => {
    setMenu(undefined);
    live?.term.focus();
  }, [live]);

  const refused = "The browser did not allow the clipboard here: use Ctrl+Shift+C and Ctrl+Shift+V, or your browser's menu.";
  const items = (t: LiveTerminal): MenuItem[] => [
    {
      label: 'Copy',
      keys: 'Ctrl+Shift+C',
      disabled: !t.term.hasSelection(),
      run: () => void copySelection(t.term).then((ok) => setNote(ok ? undefined : refused)),
    },
    {
      label: 'Paste',
      keys: 'Ctrl+Shift+V',
      disabled: t.readOnly || t.ended,
      run: () => void pasteClipboard(t.term).then((ok) => setNote(ok ? undefined : refused)),
    },
    { label: 'Select all', run: () => t.term.selectAll() },
    { label: 'Search…', run: () => searchBox.current?.focus() },
    { label: 'Clear', keys: undefined, run: () => t.term.clear() },
  ];

  return (
    <div className="terminal-pane">
      <div className="terminal-tools" role="toolbar" aria-label={`${label} tools`}>
        <input
          ref={searchBox}
          type="search"
          aria-label={`Search the ${label}`}
          placeholder="Search"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            live?.search.findNext(e.target.value, { incremental: true });
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void (e.shiftKey ? live?.search.findPrevious(query) : live?.search.findNext(query));
            if (e.key === 'Escape') live?.term.focus();
          }}
        />
        <span className="hint">
          {live?.readOnly ? 'Read-only: the console of its last boot' : 'Copy Ctrl+Shift+C · Paste Ctrl+Shift+V · right-click for more'}
        </span>
        {note && (
          <span className="hint warn-text" role="status">
            {note}
          </span>
        )}
      </div>
      <div
        className="terminal-host"
        ref={host}
        role="region"
        aria-label={label}
        data-testid={`terminal-${kind}`}
        onContextMenu={(e) => {
          e.preventDefault();
          setMenu({ x: e.clientX, y: e.clientY });
        }}
      />
      {menu && live && <TerminalMenu at={menu} items={items(live)} label={`${label} menu`} onClose={closeMenu} />}
    </div>
  );
}
