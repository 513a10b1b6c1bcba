import { describe, expect, it } from 'vitest';
import { unitNotice } from './unit-readiness';

describe('what systemd hears from a machine that runs as its unit', () => {
  it('hears READY=1 once, when the machine first comes up', () => {
    expect(unitNotice('starting', { state: 'running' })).toBe('READY=1\nSTATUS=Running');
    expect(unitNotice('starting', { state: 'degraded', failedUnits: ['a.service', 'b.mount'] })).toBe('READY=1\nSTATUS=Degraded: a.service b.mount');
    expect(unitNotice('running', { state: 'running' })).toBeUndefined();
    expect(unitNotice('running', { state: 'degraded', failedUnits: ['a.service'] })).toBeUndefined();
  });

  it('hears STOPPING=1 once', () => {
    expect(unitNotice('running', { state: 'stopping' })).toBe('STOPPING=1\nSTATUS=Stopping');
    expect(unitNotice('starting', { state: 'stopping' })).toBe('STOPPING=1\nSTATUS=Stopping');
    expect(unitNotice('stopping', { state: 'stopping' })).toBeUndefined();
  });

  it("hears the boot's progress while it boots, and nothing when there is none", () => {
    expect(unitNotice('starting', { state: 'starting', statusText: 'Reached target basic.target' })).toBe('STATUS=Booting: Reached target basic.target');
    expect(unitNotice('starting', { state: 'starting' })).toBeUndefined();
    expect(unitNotice('stopping', { state: 'exited' })).toBeUndefined();
  });
});
