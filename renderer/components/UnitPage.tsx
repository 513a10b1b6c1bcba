import { useCallback, useEffect, useState } from 'react';
import type { JournalEntry, UnitView } from '../../electron/contract/api';
import type { UnitAction } from '../../electron/contract/units';
import { getApi } from '../api/client';
import { JournalRows } from './JournalTab';
import { runUnitAction, UnitActions, UnitState, type ActionOutcome } from './UnitControls';

/** One unit: its state and actions, `systemctl status` as systemd prints it, and its journal. */
export function UnitPage({ name, unit, onBack }: { name: string; unit: string; onBack(): void }) {
  const [view, setView] = useState<UnitView>();
  const [status, setStatus] = useState<string>();
  const [entries, setEntries] = useState<JournalEntry[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ActionOutcome>();

  const load = useCallback(() => {
    const api = getApi();
    api.invoke('machines.units', name).then(
      (all) => setView(all.find((u) => u.unit === unit)),
      (e: Error) => setError(e.message),
    );
    api.invoke('machines.unitStatus', name, unit).then(setStatus, (e: Error) => setStatus(e.message));
    api.invoke('machines.journal', name, { unit, lines: 200 }).then(setEntries, (e: Error) => setError(e.message));
  }, [name, unit]);
  useEffect(() => {
    load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, [load]);

  const act = async (action: UnitAction) => {
    setBusy(true);
    const result = await runUnitAction(name, unit, action);
    setOutcome(result);
    if (result.unit) setView(result.unit);
    setBusy(false);
    load();
  };

  return (
    <div className="unit-page" role="region" aria-label={`Unit ${unit}`}>
      <div className="toolbar">
        <button onClick={onBack}>← All units</button>
        <h3>{unit}</h3>
        {view && <UnitState unit={view} />}
        {view && <UnitActions unit={view} busy={busy} onAct={(a) => void act(a)} />}
      </div>
      {view?.description && <p className="hint pad-x">{view.description}</p>}
      <p className={`unit-outcome ${outcome ? (outcome.ok ? 'ok' : 'failed') : ''}`} role="status" aria-live="polite">
        {outcome && `${outcome.ok ? '✓' : '✗'} ${outcome.message}`}
      </p>
      {error && (
        <p className="error-text pad-x" role="alert">
          {error}
        </p>
      )}
      <section aria-label="Status">
        <h4 className="pad-x">Status</h4>
        <pre className="unit-status">{status ?? 'Loading…'}</pre>
      </section>
      <section className="unit-journal" aria-label="Journal">
        <h4 className="pad-x">Journal {entries && <span className="hint">(last {entries.length} entries)</span>}</h4>
        {entries && <JournalRows entries={entries} label={`Journal of ${unit}`} />}
      </section>
    </div>
  );
}
