import { useCallback, useEffect, useState } from 'react';
import type { UnitView } from '../../electron/contract/api';
import { getApi } from '../api/client';
import { useStore } from '../state/store';

export function UnitsTab({ name }: { name: string }) {
  const [units, setUnits] = useState<UnitView[]>();
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string>();
  const load = useCallback(() => {
    getApi().invoke('machines.units', name).then(setUnits, (e: Error) => setError(e.message));
  }, [name]);
  useEffect(() => {
    load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, [load]);
  const act = async (unit: string, action: 'start' | 'stop' | 'restart') => {
    try {
      await getApi().invoke('machines.unitAction', name, unit, action);
      setTimeout(load, 500);
    } catch (e) {
      useStore.getState().notify('error', (e as Error).message);
    }
  };
  if (error) return <p className="error-text pad" role="alert">{error}</p>;
  if (!units) return <p className="pad">Loading units…</p>;
  const shown = units.filter((u) => u.unit.includes(filter) || u.description.toLowerCase().includes(filter.toLowerCase()));
  return (
    <div className="units">
      <div className="toolbar">
        <input type="search" placeholder="Filter units" aria-label="Filter units" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <span className="hint">{units.filter((u) => u.active === 'failed').length} failed · {units.length} units</span>
      </div>
      <div className="table-wrap" tabIndex={0} role="group" aria-label="Unit table">
        <table aria-label={`Units of ${name}`}>
          <thead>
            <tr>
              <th scope="col">Unit</th>
              <th scope="col">State</th>
              <th scope="col">Description</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((u) => (
              <tr key={u.unit} className={u.active === 'failed' ? 'failed' : ''}>
                <td>
                  {u.unit}
                  {u.expectedFailure && <span className="chip muted" title="Needs privileges a user namespace cannot have">expected without privileges</span>}
                </td>
                <td>
                  <span className={`chip unit-${u.active}`}>{u.active}</span> {u.sub}
                </td>
                <td>{u.description}</td>
                <td className="row-actions">
                  <button aria-label={`Start ${u.unit}`} onClick={() => void act(u.unit, 'start')}>Start</button>
                  <button aria-label={`Stop ${u.unit}`} onClick={() => void act(u.unit, 'stop')}>Stop</button>
                  <button aria-label={`Restart ${u.unit}`} onClick={() => void act(u.unit, 'restart')}>Restart</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
