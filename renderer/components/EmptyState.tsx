import { transport } from '../api/client';
import { useStore } from '../state/store';

const FIRST_STEP =
  'Build a Debian image (or import a container export, an OCI image, a rootfs folder) and boot it with systemd inside bubblewrap, as you, without root.';
const VERDICT = { ok: 'ready', warning: 'ready, with warnings', error: 'not ready' } as const;

export function EmptyState() {
  const loaded = useStore((s) => s.loaded);
  const count = useStore((s) => Object.keys(s.machines).length);
  const doctor = useStore((s) => s.doctor);
  // Until the host has answered, "no machines" would be a guess.
  if (!loaded) {
    return (
      <section className="empty" aria-label="Welcome" aria-busy="true">
        <p className="hint">Connecting to the Burrow host…</p>
      </section>
    );
  }
  return (
    <section className="empty" aria-label="Welcome">
      <h2>{count ? 'Pick a machine' : 'No machines yet'}</h2>
      <p>{count ? 'Open one from the Machines list (☰ where the window is narrow), or create another one.' : FIRST_STEP}</p>
      <button className="primary" onClick={() => useStore.getState().show({ kind: 'wizard' })}>
        Create a machine
      </button>
      {/* Only the desktop app learns where a dropped folder is; a browser never tells a page a host path. */}
      {transport() === 'electron' && <p className="hint">You can also drop a rootfs folder or an image file onto this window.</p>}
      {doctor && (
        <details className="doctor">
          <summary>Host check: {VERDICT[doctor.verdict]}</summary>
          <ul>
            {doctor.checks.map((c) => (
              <li key={c.id} className={c.level}>
                <span className="chip">{c.level}</span> {c.title}: {c.detail}
                {c.fix && (
                  <div className="fix">
                    Fix: <code>{c.fix}</code>
                  </div>
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
