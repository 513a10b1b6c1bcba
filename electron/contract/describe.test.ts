// One wording for the CLI, the window and notifications.
import { describe, expect, it } from 'vitest';
import {
  describeBootTime,
  describeLimits,
  describeLimitsState,
  describePort,
  describeStatus,
  portUrl,
  stateLabel,
  stateNotice,
  statusDetails,
  usageParts,
} from './describe';
import type { MachineStatus } from './machine-state';

const status = (patch: Partial<MachineStatus>): MachineStatus => ({ name: 'web', state: 'stopped', ...patch });

describe('ports and limits', () => {
  it('says where a forward listens and where a browser reaches it', () => {
    expect(describePort({ host: 8080, guest: 80, protocol: 'tcp', address: 'loopback' })).toBe('127.0.0.1:8080 → 80/tcp');
    expect(describePort({ host: 5353, guest: 53, protocol: 'udp', address: 'all' })).toBe('0.0.0.0:5353 → 53/udp');
    expect(portUrl({ host: 8080 })).toBe('http://127.0.0.1:8080/');
  });

  it('names the limits as the CLI flags do, or none', () => {
    expect(describeLimits({ memory: '256M', pids: 512, cpus: 1.5 })).toBe('memory 256M, pids 512, cpus 1.5');
    expect(describeLimits({})).toBe('none');
  });
});

describe('states', () => {
  it.each([
    [status({ state: 'starting', statusText: 'Mounting /run' }), 'starting: Mounting /run', 'starting'],
    [status({ state: 'degraded', failedUnits: ['a.service', 'b.service'] }), 'degraded (2 failed)', 'degraded (2 failed)'],
    [status({ state: 'exited', exitCode: 130, message: 'stopped on request' }), 'stopped', 'stopped'],
    [status({ state: 'exited', exitCode: 137, message: 'killed on request' }), 'stopped (killed)', 'stopped'],
    [status({ state: 'exited', exitCode: 1 }), 'stopped (exit 1)', 'stopped'],
    [status({ state: 'stopped' }), 'stopped', 'stopped'],
    [status({ state: 'crashed', exitCode: 137 }), 'crashed (exit 137)', 'crashed'],
    [status({ state: 'running' }), 'running', 'running'],
  ])('describes %o', (s, long, short) => {
    expect(describeStatus(s)).toBe(long);
    expect(stateLabel(s)).toBe(short);
  });

  it('tells of the changes worth a notice, with what explains them', () => {
    expect(stateNotice(status({ state: 'running' }))).toEqual({ level: 'info', title: 'web is ready' });
    expect(stateNotice(status({ state: 'degraded', failedUnits: ['x.service'] }))).toEqual({
      level: 'info',
      title: 'web is up, with failed units',
      detail: 'x.service',
    });
    expect(stateNotice(status({ state: 'crashed', message: 'PID 1 ended unexpectedly' }))).toEqual({
      level: 'error',
      title: 'web crashed',
      detail: 'PID 1 ended unexpectedly',
    });
    expect(stateNotice(status({ state: 'starting' }))).toBeUndefined();
    expect(stateNotice(status({ state: 'stopping' }))).toBeUndefined();
  });

  it('calls a machine that ended cleanly "stopped", as one never started, in every front end', () => {
    // One word for one thing: the window's chip, `burrow ls` and the notification all say the same.
    const ended = status({ state: 'exited', exitCode: 130, message: 'stopped on request' });
    expect([stateLabel(ended), describeStatus(ended), stateNotice(ended)?.title]).toEqual(['stopped', 'stopped', 'web stopped']);
    expect(stateNotice(ended)?.detail).toBeUndefined();
  });

  it('puts each detail in its own phrase, and no old failure on a machine that stopped', () => {
    const degraded = status({ state: 'degraded', bootMs: 412, failedUnits: ['a.service', 'b.service'] });
    expect(statusDetails(degraded)).toEqual(['ready in 0.41 s', 'failed: a.service, b.service']);
    // The record keeps the last run's failed units; a stopped machine does not show them.
    expect(statusDetails(status({ state: 'exited', failedUnits: ['a.service'], message: 'stopped on request' }))).toEqual([]);
    expect(statusDetails(status({ state: 'exited', failedUnits: ['a.service'], message: 'the machine halted (poweroff or halt inside)' }))).toEqual([
      'the machine halted (poweroff or halt inside)',
    ]);
    expect(statusDetails(status({ state: 'crashed', message: 'PID 1 ended unexpectedly (exit 1)' }))).toEqual(['PID 1 ended unexpectedly (exit 1)']);
    expect(statusDetails(status({ state: 'starting' }))).toEqual(['booting…']);
  });

  it('says requested limits and whether they apply in one phrase', () => {
    const unavailable = { applied: [], unavailable: 'no controller is delegated' };
    expect(describeLimitsState({ memory: '512M' }, { state: 'running', limits: unavailable })).toBe('memory 512M (not applied: no controller is delegated)');
    expect(describeLimitsState({ memory: '512M' }, { state: 'running', limits: { applied: ['memory.max=536870912'] } })).toBe('memory 512M');
    // A stopped machine asks for them; whether the next start can apply them is not known from its last run.
    expect(describeLimitsState({ memory: '512M' }, { state: 'exited', limits: unavailable })).toBe('memory 512M');
    expect(describeLimitsState({}, { state: 'running', limits: unavailable })).toBe('none');
  });

  it('gives boot times in seconds', () => {
    expect(describeBootTime(377)).toBe('ready in 0.38 s');
  });
});

describe('usage', () => {
  it('says each figure against its limit', () => {
    const u = {
      source: 'cgroup' as const,
      memoryBytes: 40 * 1024 ** 2,
      memoryMaxBytes: 64 * 1024 ** 2,
      pids: 12,
      pidsMax: 128,
      cpuUsec: 1_200_000,
      cpuMax: 0.5,
    };
    expect(usageParts(u)).toEqual(['memory 40.0 MiB of 64.0 MiB', 'tasks 12 of 128', 'cpu time 1.2 s (quota 0.5 CPUs)']);
    expect(usageParts(u, 12.4)).toEqual(['memory 40.0 MiB of 64.0 MiB', 'tasks 12 of 128', 'cpu 12 % (quota 0.5 CPUs)']);
  });

  it('leaves out what was not measured', () => {
    expect(usageParts({ source: 'processes', memoryBytes: 2048 })).toEqual(['memory 2.0 KiB']);
  });
});
