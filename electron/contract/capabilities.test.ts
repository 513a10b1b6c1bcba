// The capability presets and the rules for granting and dropping one, shared by the CLI and the wizard.
import { describe, expect, it } from 'vitest';
import {
  AUDIT_CAPABILITIES,
  CAPABILITIES,
  CAPABILITY_PRESETS,
  dropCapability,
  grantCapability,
  grantedCapabilities,
  presetOf,
  SYSTEMD_CAPABILITIES,
} from './capabilities';

describe('capability presets', () => {
  it('lists exactly what systemd needs in the systemd preset, so a capability a newer kernel adds is not granted', () => {
    expect(CAPABILITY_PRESETS.systemd.choice()).toEqual({ add: SYSTEMD_CAPABILITIES, drop: [] });
    expect(SYSTEMD_CAPABILITIES).toHaveLength(22);
  });

  it('grants every capability but the audit ones by default, and is recognised as such', () => {
    const choice = CAPABILITY_PRESETS['all-but-audit'].choice();
    expect([...grantedCapabilities(choice)]).toEqual(CAPABILITIES.filter((c) => !AUDIT_CAPABILITIES.includes(c)));
    expect(presetOf(choice)).toBe('all-but-audit');
    expect(presetOf(CAPABILITY_PRESETS.none.choice())).toBe('none');
    expect(presetOf({ add: 'ALL', drop: ['CAP_SYS_ADMIN'] })).toBeUndefined();
  });

  it('hands out fresh copies: changing one choice leaves the preset alone', () => {
    const choice = CAPABILITY_PRESETS.systemd.choice();
    (choice.add as string[]).pop();
    expect(CAPABILITY_PRESETS.systemd.choice().add).toHaveLength(22);
  });
});

describe('granting and dropping', () => {
  it('keeps a list a list', () => {
    const list = CAPABILITY_PRESETS.systemd.choice();
    const more = grantCapability(list, 'CAP_SYS_TIME');
    expect(more.add).toContain('CAP_SYS_TIME');
    expect(grantCapability(more, 'CAP_SYS_TIME')).toEqual(more);
    expect(dropCapability(more, 'CAP_SYS_ADMIN').add).not.toContain('CAP_SYS_ADMIN');
    expect(dropCapability(more, 'CAP_SYS_ADMIN').drop).toEqual([]);
  });

  it('keeps ALL minus a list as that', () => {
    const all = CAPABILITY_PRESETS.all.choice();
    const less = dropCapability(all, 'CAP_NET_RAW');
    expect(less).toEqual({ add: 'ALL', drop: ['CAP_NET_RAW'] });
    expect(grantCapability(less, 'CAP_NET_RAW')).toEqual({ add: 'ALL', drop: [] });
    expect(grantedCapabilities(less).has('CAP_NET_RAW')).toBe(false);
  });
});
