import { Fragment, useEffect, useState } from 'react';
import type { LiveMount, PlanView } from '../../electron/contract/api';
import { getApi } from '../api/client';
import { useStore } from '../state/store';

/**
 * A path or an option list that may wrap after each "/" or ",", never inside a name (<wbr> rather than a
 * zero-width space, so a copied path is the path).
 */
function Wrapping({ text }: { text: string }) {
  const parts = text.split(/(?<=[/,])/);
  return (
    <>
      {parts.map((p, i) => (
        <Fragment key={i}>
          {p}
          {i < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </>
  );
}

/** The planned mount table beside the one read from the running machine, differences highlighted. */
export function MountsTab({ name, live }: { name: string; live: boolean }) {
  const profile = useStore((s) => s.machines[name]?.profile);
  const [plan, setPlan] = useState<PlanView>();
  const [mounts, setMounts] = useState<LiveMount[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (profile)
      getApi()
        .invoke('machines.plan', profile)
        .then(setPlan, (e: Error) => setError(e.message));
    if (live)
      getApi()
        .invoke('machines.liveMounts', name)
        .then(setMounts, (e: Error) => setError(e.message));
  }, [name, live, profile]);
  const liveDests = new Set(mounts?.map((m) => m.dest));
  const plannedDests = new Set(plan?.mounts.filter((m) => m.type !== 'remount-ro' && m.type !== 'symlink').map((m) => m.dest));
  return (
    <div className="mounts-compare" tabIndex={0} role="group" aria-label="Planned and live mounts">
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <section aria-label="Planned mounts">
        <h3>Planned</h3>
        <table>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Source</th>
              <th scope="col">Destination</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {plan?.mounts.map((m, i) => {
              const missing = live && mounts && m.type !== 'remount-ro' && m.type !== 'symlink' && !liveDests.has(m.dest);
              return (
                <tr key={i} className={missing ? 'missing' : ''}>
                  <td>{m.type}</td>
                  <td>
                    <Wrapping text={m.source ?? m.target ?? ''} />
                  </td>
                  <td>
                    <Wrapping text={m.dest} />
                    {missing && <span className="chip state-crashed">not mounted</span>}
                  </td>
                  <td>
                    {m.origin}
                    {m.note ? ` · ${m.note}` : ''}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <section aria-label="Live mounts">
        <h3>Live {live ? '(read from the running machine)' : ''}</h3>
        {!live ? (
          <p>Start the machine to read its live mount table.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Destination</th>
                <th scope="col">Type</th>
                <th scope="col">Source</th>
                <th scope="col">Options</th>
              </tr>
            </thead>
            <tbody>
              {mounts?.map((m, i) => (
                <tr
                  key={i}
                  className={plannedDests.has(m.dest) ? 'planned' : 'extra'}
                  title={plannedDests.has(m.dest) ? 'planned' : 'mounted inside the machine (by systemd or the kernel)'}
                >
                  <td>
                    <Wrapping text={m.dest} />
                  </td>
                  <td>{m.fstype}</td>
                  <td>
                    <Wrapping text={m.source} />
                  </td>
                  <td>
                    <Wrapping text={m.options} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
