import { useEffect } from 'react';
import { useStore } from '../state/store';

/** Toasts for machine events and errors; they go after a while, errors stay until dismissed. */
export function Notices() {
  const notices = useStore((s) => s.notices);
  useEffect(() => {
    const timers = notices.filter((n) => n.level === 'info').map((n) => setTimeout(() => useStore.getState().dismiss(n.id), 6000));
    return () => timers.forEach(clearTimeout);
  }, [notices]);
  return (
    <div className="notices" role="log" aria-live="polite" aria-label="Notifications">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.level}`} role={n.level === 'error' ? 'alert' : 'status'}>
          <span>{n.text}</span>
          <button aria-label="Dismiss" onClick={() => useStore.getState().dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
