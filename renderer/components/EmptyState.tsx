import { useStore } from '../state/store';

const FIRST_STEP =
  'Build a Debian image (or import a container export, an OCI image, a rootfs folder) and boot it with systemd inside bubblewrap, as you, without root.';

export function EmptyState() {
  const count = useStore((s) => Object.keys(s.machines).length);
  const doctor = useStore((s) => s.doctor);
  return (
    <section className="empty" aria-label="Welcome">
      <h2>{count ? 'Pick a machine on the left' : 'No machines yet'}</h2>
      <p>{count ? 'Or create another one.' : FIRST_STEP}</p>
      <button className="primary" onClick={() => useStore.getState().show({ kind: 'wizard' })}>
        Create a machine
      </button>
      <p className="hint">You can also drop a rootfs folder onto this window.</p>
      {doctor && (
        <details className="doctor">
          <summary>Host check: {doctor.verdict === 'ok' ? 'ready' : doctor.verdict === 'warning' ? 'ready, with warnings' : 'not ready'}</summary>
          <ul>
            {doctor.checks.map((c) => (
              <li key={c.id} className={c.level}>
                <span className="chip">{c.level}</span> {c.title}: {c.detail}
                {c.fix && <div className="fix">Fix: <code>{c.fix}</code></div>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
