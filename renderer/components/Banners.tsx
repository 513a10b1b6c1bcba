import { useStore } from '../state/store';

/** Host problems with their fixes, and a lost connection to the host. */
export function Banners() {
  const connection = useStore((s) => s.connection);
  const doctor = useStore((s) => s.doctor);
  const broken = useStore((s) => s.broken);
  const problems = doctor?.checks.filter((c) => c.level === 'error') ?? [];
  return (
    <>
      {connection === 'denied' && (
        <div className="banner error" role="alert">
          This page is not signed in to the Burrow host. Open the URL that <code>burrow serve</code> printed: its token
          changes each time it starts.
        </div>
      )}
      {connection === 'lost' && (
        <div className="banner error" role="alert">
          Lost the connection to the Burrow host. Reconnecting… Machines keep running.
        </div>
      )}
      {problems.length > 0 && (
        <div className="banner error" role="alert" aria-label="Host problems">
          <strong>This host cannot boot machines yet.</strong>
          <ul>
            {problems.map((c) => (
              <li key={c.id}>
                {c.title}: {c.detail}
                {c.fix && (
                  <>
                    {' '}
                    Fix: <code>{c.fix}</code>
                  </>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {broken.map((b) => (
        <div className="banner warning" role="status" key={b.name}>
          {b.error}
        </div>
      ))}
    </>
  );
}
