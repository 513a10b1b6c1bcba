import { useCallback, useEffect, useMemo, useState } from 'react';
import type { UnitView } from '../../electron/contract/api';
import { groupUnits, type UnitAction, type UnitFilter, type UnitType } from '../../electron/contract/units';
import { getApi } from '../api/client';
import { ACTION_LABEL, runUnitAction, UnitActions, UnitState, type ActionOutcome } from './UnitControls';
import { UnitPage } from './UnitPage';

const STATES: { value: UnitFilter['state']; label: string }[] = [
  { value: 'all', label: 'All states' },
  { value: 'failed', label: 'Failed' },
  { value: 'active', label: 'Active' },
  { value: 'inactive', label: 'Inactive' },
];

/** What an empty table says: no matches, and for which filter. */
export function noMatches(label: string, f: UnitFilter): string {
  const conditions = [f.state !== 'all' ? `in state ${f.state}` : '', f.text.trim() ? `matching "${f.text.trim()}"` : ''].filter(Boolean);
  return `No matches: no ${label.toLowerCase()}${conditions.length ? ` ${conditions.join(' and ')}` : ''}.`;
}

/** A machine's units, like Cockpit's services page: by type, failed first, filtered, with actions that fit. */
export function UnitsTab({ name }: { name: string }) {
  const [units, setUnits] = useState<UnitView[]>();
  const [type, setType] = useState<UnitType>('service');
  const [filter, setFilter] = useState<UnitFilter>({ state: 'all', text: '' });
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [outcome, setOutcome] = useState<ActionOutcome>();
  const [open, setOpen] = useState<string>();
  const load = useCallback(() => {
    getApi()
      .invoke('machines.units', name)
      .then(
        (u) => {
          setUnits(u);
          setError(undefined);
        },
        (e: Error) => setError(e.message),
      );
  }, [name]);
  useEffect(() => {
    load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, [load]);
  const groups = useMemo(() => groupUnits(units ?? [], filter), [units, filter]);

  const act = async (unit: string, action: UnitAction) => {
    setBusy(unit);
    const result = await runUnitAction(name, unit, action);
    setOutcome(result);
    if (result.unit) setUnits((list) => list?.map((u) => (u.unit === unit ? result.unit! : u)));
    setBusy(undefined);
    load();
  };

  if (open) return <UnitPage name={name} unit={open} onBack={() => setOpen(undefined)} />;
  if (!units)
    return error ? (
      <p className="error-text pad" role="alert">
        {error}
      </p>
    ) : (
      <p className="pad">Loading units…</p>
    );
  const group = groups.find((g) => g.type === type) ?? groups[0];
  const failed = units.filter((u) => u.active === 'failed' && !u.expectedFailure).length;
  return (
    <div className="units">
      <div className="toolbar" role="toolbar" aria-label="Unit filters">
        <div className="unit-types" role="group" aria-label="Unit types">
          {groups.map((g) => (
            <button key={g.type} aria-pressed={g.type === group?.type} onClick={() => setType(g.type)}>
              {g.label} <span className="count">{g.total}</span>
              {g.failed > 0 && <span className="count failed">{g.failed} failed</span>}
            </button>
          ))}
        </div>
        <select aria-label="Show units in state" value={filter.state} onChange={(e) => setFilter({ ...filter, state: e.target.value as UnitFilter['state'] })}>
          {STATES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
        <input
          type="search"
          placeholder="Filter units"
          aria-label="Filter units"
          value={filter.text}
          onChange={(e) => setFilter({ ...filter, text: e.target.value })}
        />
        <span className="hint">
          {failed} failed · {units.length} units
        </span>
      </div>
      {error && (
        <p className="error-text pad" role="alert">
          {error}
        </p>
      )}
      <p className={`unit-outcome ${outcome ? (outcome.ok ? 'ok' : 'failed') : ''}`} role="status" aria-live="polite">
        {outcome && `${outcome.ok ? '✓' : '✗'} ${ACTION_LABEL[outcome.action]} ${outcome.target}: ${outcome.message}`}
      </p>
      <div className="table-wrap" tabIndex={0} role="group" aria-label="Unit table">
        <table className="unit-table" aria-label={`${group?.label ?? 'Units'} of ${name}`}>
          <colgroup>
            <col />
            <col className="state-col" />
            <col className="actions-col" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Unit</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {group?.units.map((u) => (
              <tr key={u.unit} className={u.active === 'failed' ? 'failed' : ''}>
                <td>
                  <button className="link" onClick={() => setOpen(u.unit)} title={`Status and journal of ${u.unit}`}>
                    {u.unit}
                  </button>
                  {u.expectedFailure && (
                    <span className="chip muted" title="Needs privileges a user namespace cannot have">
                      expected without privileges
                    </span>
                  )}
                  <div className="hint">{u.description}</div>
                </td>
                <td>
                  <UnitState unit={u} />
                </td>
                <td className="row-actions">
                  <UnitActions unit={u} busy={busy === u.unit} onAct={(a) => void act(u.unit, a)} />
                </td>
              </tr>
            ))}
            {!group?.units.length && (
              <tr>
                <td colSpan={3} className="no-matches">
                  {noMatches(group?.label ?? 'Units', filter)}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
