// A machine's systemd units as the window shows them, after Cockpit's services page: by type (services
// first), failed ones first, and only the actions that fit a unit's state and what systemd allows for it
// (no Stop for -.mount or init.scope, which systemd calls perpetual; Start only on an inactive unit).

export type UnitAction = 'start' | 'stop' | 'restart';
export const UNIT_ACTIONS: readonly UnitAction[] = ['start', 'stop', 'restart'];

/** Unit types in the order they are listed; anything else comes last as "other". */
export const UNIT_TYPES = ['service', 'socket', 'timer', 'path', 'target', 'mount', 'automount', 'swap', 'slice', 'scope', 'device'] as const;
export type UnitType = (typeof UNIT_TYPES)[number] | 'other';

export const UNIT_TYPE_LABELS: Record<UnitType, string> = {
  service: 'Services',
  socket: 'Sockets',
  timer: 'Timers',
  path: 'Paths',
  target: 'Targets',
  mount: 'Mounts',
  automount: 'Automounts',
  swap: 'Swap',
  slice: 'Slices',
  scope: 'Scopes',
  device: 'Devices',
  other: 'Other',
};

/** What systemd says of one unit (`systemctl show`), before it is shaped for the window. */
export interface UnitFacts {
  unit: string;
  load: string;
  active: string;
  sub: string;
  description: string;
  canStart: boolean;
  canStop: boolean;
  refuseManualStart: boolean;
  refuseManualStop: boolean;
}

export function unitType(unit: string): UnitType {
  const suffix = unit.slice(unit.lastIndexOf('.') + 1);
  return (UNIT_TYPES as readonly string[]).includes(suffix) ? (suffix as UnitType) : 'other';
}

const RUNNING = new Set(['active', 'reloading', 'activating']);
const STOPPED = new Set(['inactive', 'failed']);

/** The actions a person may take on a unit now: what its state allows and systemd would not refuse. */
export function unitActions(u: UnitFacts): UnitAction[] {
  if (u.load !== 'loaded') return []; // not found, masked, bad settings: nothing to start or stop
  const start = u.canStart && !u.refuseManualStart;
  const stop = u.canStop && !u.refuseManualStop;
  const actions: UnitAction[] = [];
  if (start && STOPPED.has(u.active)) actions.push('start');
  if (stop && RUNNING.has(u.active)) actions.push('stop');
  if (start && stop && (u.active === 'active' || u.active === 'reloading')) actions.push('restart');
  return actions;
}

/** Which units a view shows: a state and words to look for (in the name or the description). */
export interface UnitFilter {
  state: 'all' | 'failed' | 'active' | 'inactive';
  text: string;
}

interface Shapeable {
  unit: string;
  active: string;
  description: string;
  /** Fails without real privileges: listed after the failures that matter. */
  expectedFailure: boolean;
}

function matches(u: Shapeable, f: UnitFilter): boolean {
  if (f.state === 'failed' && u.active !== 'failed') return false;
  if (f.state === 'active' && !RUNNING.has(u.active)) return false;
  if (f.state === 'inactive' && u.active !== 'inactive') return false;
  const needle = f.text.trim().toLowerCase();
  return !needle || u.unit.toLowerCase().includes(needle) || u.description.toLowerCase().includes(needle);
}

/** Failures that matter first, then expected ones, then the rest; by name within each. */
const rank = (u: Shapeable) => (u.active === 'failed' ? (u.expectedFailure ? 1 : 0) : 2);
export const compareUnits = (a: Shapeable, b: Shapeable): number => rank(a) - rank(b) || a.unit.localeCompare(b.unit);

export interface UnitGroup<U> {
  type: UnitType;
  label: string;
  /** All units of the type, whatever the filter (for the type's tab). */
  total: number;
  failed: number;
  /** The units the filter lets through, failed first. */
  units: U[];
}

/** Units grouped by type in UNIT_TYPES order (types without units left out), each group filtered and sorted. */
export function groupUnits<U extends Shapeable>(units: readonly U[], filter: UnitFilter): UnitGroup<U>[] {
  const byType = new Map<UnitType, U[]>();
  for (const u of units) {
    const t = unitType(u.unit);
    byType.set(t, [...(byType.get(t) ?? []), u]);
  }
  const order: UnitType[] = [...UNIT_TYPES, 'other'];
  return order
    .filter((t) => byType.has(t))
    .map((type) => {
      const all = byType.get(type)!;
      return {
        type,
        label: UNIT_TYPE_LABELS[type],
        total: all.length,
        failed: all.filter((u) => u.active === 'failed').length,
        units: all.filter((u) => matches(u, filter)).sort(compareUnits),
      };
    });
}
