import { useEffect, useId, useRef, type ReactNode } from 'react';

export interface ConfirmChoice {
  label: string;
  /** A destructive choice is drawn as one. */
  danger?: boolean;
  onChoose(): void;
}

/**
 * An in-app confirmation (never the browser's confirm()): it says what is about to be lost, offers the
 * choices and a way back. Escape and the way back cancel; focus starts on the way back, so Enter alone
 * never destroys anything, and returns to where it was when the dialog closes.
 */
export function ConfirmDialog({
  title,
  children,
  choices,
  cancelLabel = 'Cancel',
  onCancel,
}: {
  title: string;
  children: ReactNode;
  choices: ConfirmChoice[];
  cancelLabel?: string;
  onCancel(): void;
}) {
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    cancel.current?.focus();
    return () => before?.focus?.();
  }, []);
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onCancel();
    }
    // Keep Tab inside the dialog while it is open.
    if (e.key === 'Tab' && box.current) {
      const items = [...box.current.querySelectorAll<HTMLElement>('button:not(:disabled)')];
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last?.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first?.focus();
      }
    }
  };
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onCancel()}>
      <div ref={box} className="modal" role="alertdialog" aria-modal="true" aria-labelledby={`${id}-title`} aria-describedby={`${id}-body`} onKeyDown={onKey}>
        <h2 id={`${id}-title`}>{title}</h2>
        <div id={`${id}-body`} className="modal-body">
          {children}
        </div>
        <div className="modal-actions">
          <button ref={cancel} onClick={onCancel}>
            {cancelLabel}
          </button>
          {choices.map((c) => (
            <button key={c.label} className={c.danger ? 'danger-solid' : 'primary'} onClick={c.onChoose}>
              {c.label}
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}
