import { useStore } from '../state/store';

/** Host problems with their fixes, and a lost connection to the host (a refused one is a page of its own: SignedOut). */
export function Banners() {
  const connection = useStore((s) => s.connection);
  const doctor = useStore((s) => s.doctor);
  const broken = useStore((s) => s.broken);
  const problems = doctor?.checks.filter((c) => c.level === 'error') ?? [];
  return (
    <>
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
