// Unit state and actions as the units table and a unit's page show them, and an action that always has an outcome.
import type { UnitActionResult, UnitView } from '../../electron/contract/api';
import type { UnitAction } from '../../electron/contract/units';
import { getApi } from '../api/client';

export const ACTION_LABEL: Record<UnitAction, string> = { start: 'Start', stop: 'Stop', restart: 'Restart' };

export interface ActionOutcome extends UnitActionResult {
  action: UnitAction;
  target: string;
}

/** Runs a unit action and always comes back with an outcome: systemd's verdict, or why the call failed. */
export async function runUnitAction(name: string, unit: string, action: UnitAction): Promise<ActionOutcome> {
  try {
    return { ...(await getApi().invoke('machines.unitAction', name, unit, action)), action, target: unit };
  } catch (e) {
    return { ok: false, message: (e as Error).message, action, target: unit };
  }
}

export function UnitActions({ unit, busy, onAct }: { unit: UnitView; busy: boolean; onAct(action: UnitAction): void }) {
  if (!unit.actions.length) return <span className="hint">—</span>;
  return (
    <>
      {unit.actions.map((a) => (
        <button key={a} disabled={busy} aria-label={`${ACTION_LABEL[a]} ${unit.unit}`} onClick={() => onAct(a)}>
          {ACTION_LABEL[a]}
        </button>
      ))}
    </>
  );
}

export function UnitState({ unit }: { unit: Pick<UnitView, 'active' | 'sub' | 'load'> }) {
  return (
    <>
      <span className={`chip unit-${unit.active}`}>{unit.active}</span> <span className="hint">{unit.load === 'loaded' ? unit.sub : unit.load}</span>
    </>
  );
}
