// In a unit of the user's systemd (Type=notify), the supervisor tells systemd what the machine does:
// READY=1 once it is up (so `systemctl --user start` returns then), STOPPING=1 when it goes down, and
// STATUS= text meanwhile. Which message a change of state deserves is decided here, without sending.
import { isUp, type MachineState } from '../contract/machine-state';

export interface UnitFacts {
  state: MachineState;
  statusText?: string;
  failedUnits?: string[];
}

/** The sd_notify message for a change from `before` (the state systemd last heard of) to `now`; undefined for none. */
export function unitNotice(before: MachineState, now: UnitFacts): string | undefined {
  if (isUp(now.state) && before === 'starting')
    return `READY=1\nSTATUS=${now.state === 'running' ? 'Running' : `Degraded: ${(now.failedUnits ?? []).join(' ')}`}`;
  if (now.state === 'stopping' && before !== 'stopping') return 'STOPPING=1\nSTATUS=Stopping';
  if (now.state === 'starting' && now.statusText) return `STATUS=Booting: ${now.statusText}`;
  return undefined;
}
