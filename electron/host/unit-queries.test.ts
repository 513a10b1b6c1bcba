import { describe, expect, it } from 'vitest';
import { parseUnitBlocks, unitView } from './unit-queries';

const block = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');

describe("systemctl show's answer", () => {
  it('becomes units with the actions their state allows', () => {
    const text = [
      block({
        Id: 'apache2.service',
        Description: 'The Apache HTTP Server',
        LoadState: 'loaded',
        ActiveState: 'active',
        SubState: 'running',
        CanStart: 'yes',
        CanStop: 'yes',
        RefuseManualStart: 'no',
        RefuseManualStop: 'no',
      }),
      block({ Id: '-.mount', Description: 'Root Mount', LoadState: 'loaded', ActiveState: 'active', SubState: 'mounted', CanStart: 'yes', CanStop: 'no' }),
      block({ Id: 'sys-kernel-debug.mount', LoadState: 'masked', ActiveState: 'inactive', SubState: 'dead', CanStart: 'no', CanStop: 'yes' }),
      // listed by list-units and by list-unit-files, or as an alias: one unit
      block({ Id: 'apache2.service', Description: 'again', LoadState: 'loaded', ActiveState: 'active' }),
    ].join('\n\n');
    const units = parseUnitBlocks(text).map(unitView);
    expect(units.map((u) => [u.unit, u.actions])).toEqual([
      ['apache2.service', ['stop', 'restart']],
      ['-.mount', []],
      ['sys-kernel-debug.mount', []],
    ]);
    expect(units[2]!.expectedFailure).toBe(true);
    expect(units[0]).toMatchObject({ description: 'The Apache HTTP Server', load: 'loaded', active: 'active', sub: 'running' });
  });

  it('keeps nothing a hostile guest could use: no bad names, bounded fields and counts', () => {
    const huge = 'x'.repeat(100_000);
    const blocks = [
      block({ Id: '../../etc/passwd', ActiveState: 'active' }),
      block({ Id: 'a b.service', ActiveState: 'active' }),
      block({ Id: '\x1b]0;pwned\x07.service' }),
      block({ Id: 'long.service', Description: huge, ActiveState: huge }),
      'garbage without equals\n=no key',
      ...Array.from({ length: 6000 }, (_, i) => block({ Id: `u${i}.service`, LoadState: 'loaded', ActiveState: 'inactive' })),
    ];
    const units = parseUnitBlocks(blocks.join('\n\n'));
    expect(units[0]!.unit).toBe('long.service');
    expect(units[0]!.description.length).toBe(512);
    expect(units[0]!.active.length).toBe(512);
    expect(units.length).toBe(5000);
    expect(units.every((u) => /^[A-Za-z0-9:_.@\\-]+$/.test(u.unit))).toBe(true);
  });
});
