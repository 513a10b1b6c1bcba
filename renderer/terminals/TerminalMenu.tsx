import { useEffect, useRef } from 'react';

export interface MenuItem {
  label: string;
  /** The key that does the same, shown beside it. */
  keys?: string;
  disabled?: boolean;
  run(): void;
}

/**
 * A terminal's right-click menu (copy, paste, select all, search, clear): a menu as ARIA describes one,
 * at the pointer, kept inside the window; arrows move, Enter runs, Escape or a click elsewhere closes it.
 */
export function TerminalMenu({ at, items, label, onClose }: { at: { x: number; y: number }; items: MenuItem[]; label: string; onClose(): void }) {
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = menu.current;
    if (!el) return;
    const { innerWidth, innerHeight } = window;
    const box = el.getBoundingClientRect();
    el.style.left = `${Math.max(0, Math.min(at.x, innerWidth - box.width - 4))}px`;
    el.style.top = `${Math.max(0, Math.min(at.y, innerHeight - box.height - 4))}px`;
    el.querySelector<HTMLButtonElement>('[role=menuitem]:not(:disabled)')?.focus();
    const away = (e: MouseEvent) => !el.contains(e.target as Node) && onClose();
    document.addEventListener('mousedown', away, true);
    return () => document.removeEventListener('mousedown', away, true);
  }, [at, onClose]);

  const onKey = (e: React.KeyboardEvent) => {
    const buttons = [...(menu.current?.querySelectorAll<HTMLButtonElement>('[role=menuitem]:not(:disabled)') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      onClose();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (at + (e.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length;
      buttons[next]?.focus();
    }
  };

  return (
    <div ref={menu} className="context-menu" role="menu" aria-label={label} style={{ left: at.x, top: at.y }} onKeyDown={onKey}>
      {items.map((item) => (
        <button
          key={item.label}
          role="menuitem"
          disabled={item.disabled}
          onClick={() => {
            onClose();
            item.run();
          }}
        >
          <span>{item.label}</span>
          {item.keys && <kbd>{item.keys}</kbd>}
        </button>
      ))}
    </div>
  );
}
