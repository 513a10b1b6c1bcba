// The meaning of each machine state, in one place: which states are live, up, enterable, settled, ended.
import { describe, expect, it } from 'vitest';
import { hasEnded, isEnterable, isLive, isSettled, isUp, LIVE_STATES, MACHINE_STATES, type MachineState } from './machine-state';

const where = (pred: (s: MachineState) => boolean) => MACHINE_STATES.filter(pred);

describe('machine states', () => {
  it('is live while a supervisor owns the machine, stopping included', () => {
    expect(where(isLive)).toEqual(['starting', 'running', 'degraded', 'stopping']);
    expect(LIVE_STATES).toEqual(where(isLive));
  });

  it('is up once systemd reported ready, degraded included', () => {
    expect(where(isUp)).toEqual(['running', 'degraded']);
  });

  it('can be entered while PID 1 runs and is not shutting down', () => {
    expect(where(isEnterable)).toEqual(['starting', 'running', 'degraded']);
  });

  it('has settled a start when it is up or has ended', () => {
    expect(where(isSettled)).toEqual(['running', 'degraded', 'exited', 'crashed']);
    expect(where(hasEnded)).toEqual(['exited', 'crashed']);
  });

  it('reads a status as well as a bare state', () => {
    expect(isUp({ state: 'degraded' })).toBe(true);
    expect(isLive({ state: 'stopped' })).toBe(false);
  });
});
