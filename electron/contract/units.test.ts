import { describe, expect, it } from 'vitest';
import { groupUnits, unitActions, unitType, type UnitFacts } from './units';

const facts = (unit: string, active: string, more: Partial<UnitFacts> = {}): UnitFacts => ({
  unit,
  load: 'loaded',
  active,
  sub: active === 'active' ? 'running' : 'dead',
  description: `the ${unit} unit`,
  canStart: true,
  canStop: true,
  refuseManualStart: false,
  refuseManualStop: false,
  ...more,
});
const view = (unit: string, active: string, expectedFailure = false, description = '') => ({ unit, active, description, expectedFailure });

describe('unit actions', () => {
  it('offers Start only on an inactive or failed unit, Stop and Restart only on a running one', () => {
    expect(unitActions(facts('apache2.service', 'inactive'))).toEqual(['start']);
    expect(unitActions(facts('apache2.service', 'failed'))).toEqual(['start']);
    expect(unitActions(facts('apache2.service', 'active'))).toEqual(['stop', 'restart']);
    expect(unitActions(facts('apache2.service', 'activating'))).toEqual(['stop']);
    expect(unitActions(facts('apache2.service', 'deactivating'))).toEqual([]);
  });

  it('offers no Stop where systemd refuses one: -.mount and init.scope are perpetual (CanStop=no)', () => {
    expect(unitActions(facts('-.mount', 'active', { canStop: false }))).toEqual([]);
    expect(unitActions(facts('init.scope', 'active', { canStart: false, canStop: false }))).toEqual([]);
    expect(unitActions(facts('systemd-journald.service', 'active', { refuseManualStop: true }))).toEqual([]);
    expect(unitActions(facts('dev-ttyS0.device', 'inactive', { canStart: false, canStop: false }))).toEqual([]);
    expect(unitActions(facts('shutdown.target', 'inactive', { refuseManualStart: true }))).toEqual([]);
  });

  it('offers nothing for a unit that is not loaded (not found, masked)', () => {
    expect(unitActions(facts('not-there.service', 'inactive', { load: 'not-found' }))).toEqual([]);
    expect(unitActions(facts('sys-kernel-debug.mount', 'inactive', { load: 'masked' }))).toEqual([]);
  });
});

describe('unit lists', () => {
  const units = [
    view('ssh.socket', 'active'),
    view('apache2.service', 'active', false, 'The Apache HTTP Server'),
    view('-.mount', 'active'),
    view('systemd-sysctl.service', 'failed', true),
    view('burrow-fails.service', 'failed'),
    view('dbus.service', 'active'),
    view('multi-user.target', 'active'),
    view('weird.unknowntype', 'inactive'),
    view('cron.service', 'inactive'),
  ];

  it('knows a unit type by its suffix, anything unknown as other', () => {
    expect(unitType('apache2.service')).toBe('service');
    expect(unitType('-.mount')).toBe('mount');
    expect(unitType('getty@tty1.service')).toBe('service');
    expect(unitType('weird.unknowntype')).toBe('other');
    expect(unitType('no-suffix')).toBe('other');
  });

  it('groups by type with services first, and within a type lists failures that matter first, then expected ones', () => {
    const groups = groupUnits(units, { state: 'all', text: '' });
    expect(groups.map((g) => g.type)).toEqual(['service', 'socket', 'target', 'mount', 'other']);
    const services = groups[0]!;
    expect(services.units.map((u) => u.unit)).toEqual(['burrow-fails.service', 'systemd-sysctl.service', 'apache2.service', 'cron.service', 'dbus.service']);
    expect(services).toMatchObject({ label: 'Services', total: 5, failed: 2 });
  });

  it('filters by state and by words in the name or description, keeping counts of the whole type', () => {
    const failed = groupUnits(units, { state: 'failed', text: '' })[0]!;
    expect(failed.units.map((u) => u.unit)).toEqual(['burrow-fails.service', 'systemd-sysctl.service']);
    expect(failed.total).toBe(5);
    expect(groupUnits(units, { state: 'all', text: 'HTTP server' })[0]!.units.map((u) => u.unit)).toEqual(['apache2.service']);
    expect(groupUnits(units, { state: 'inactive', text: '' })[0]!.units.map((u) => u.unit)).toEqual(['cron.service']);
    expect(groupUnits(units, { state: 'active', text: 'nothing like this' })[0]!.units).toEqual([]);
  });
});
