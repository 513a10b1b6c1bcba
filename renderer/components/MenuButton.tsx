import { useEffect, useId, useRef, useState } from 'react';

export interface MenuItem {
  label: string;
  onSelect(): void;
  /** Why it cannot be chosen now (shown beside it); undefined where it can. */
  disabledBecause?: string;
  danger?: boolean;
  /** A checkbox item (Start at login): its state. */
  checked?: boolean;
}

/**
 * A button that opens a menu (the WAI-ARIA menu button pattern): arrows move, Enter or Space chooses,
 * Escape or a click elsewhere closes and returns focus to the button.
 */
export function MenuButton({ label, items, buttonLabel }: { label: string; items: MenuItem[]; buttonLabel?: string }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const entries = () => [...(menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? [])];

  useEffect(() => {
    if (!open) return;
    entries()[0]?.focus();
    const away = (e: MouseEvent) => !menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const onKey = (e: React.KeyboardEvent) => {
    const list = entries();
    const at = list.indexOf(document.activeElement as HTMLElement);
    const move = { ArrowDown: 1, ArrowUp: -1 }[e.key];
    if (move) {
      e.preventDefault();
      list[(at + move + list.length) % list.length]?.focus();
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      list[e.key === 'Home' ? 0 : list.length - 1]?.focus();
    } else if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      close();
    }
  };
  const choose = (item: MenuItem) => {
    if (item.disabledBecause) return;
    close();
    item.onSelect();
  };

  return (
    <span className="menu-wrap">
      <button
        ref={button}
        id={`${id}-button`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={`${id}-menu`}
        aria-label={label}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => e.key === 'ArrowDown' && (e.preventDefault(), setOpen(true))}
      >
        {buttonLabel ?? label}
      </button>
      {open && (
        <ul ref={menu} id={`${id}-menu`} className="menu" role="menu" aria-labelledby={`${id}-button`} onKeyDown={onKey}>
          {items.map((item) => (
            <li
              key={item.label}
              role={item.checked === undefined ? 'menuitem' : 'menuitemcheckbox'}
              aria-checked={item.checked}
              aria-disabled={!!item.disabledBecause}
              tabIndex={-1}
              className={item.danger ? 'danger' : undefined}
              onClick={() => choose(item)}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), choose(item))}
            >
              {item.checked !== undefined && (
                <span className="check" aria-hidden="true">
                  {item.checked ? '✓' : ''}
                </span>
              )}
              <span>{item.label}</span>
              {item.disabledBecause && <span className="hint">{item.disabledBecause}</span>}
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}
