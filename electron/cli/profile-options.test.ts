// `burrow create`/`edit` options become profile changes through the contract's rules.
import { describe, expect, it } from 'vitest';
import { CAPABILITY_PRESET_IDS, CAPABILITY_PRESETS } from '../contract/capabilities';
import { MOUNT_TYPES } from '../contract/mounts';
import { defaultProfile } from '../contract/profile';
import { applyProfileOptions, parseMountSpec } from './profile-options';

const base = () => defaultProfile({ name: 'web', rootfs: '/images/web', machineId: 'a'.repeat(32) });

describe('--caps', () => {
  it.each(CAPABILITY_PRESET_IDS)('writes the contract preset %s, the same as the wizard button', (id) => {
    expect(applyProfileOptions(base(), { caps: id }).capabilities).toEqual(CAPABILITY_PRESETS[id].choice());
  });

  it('refuses an unknown preset with the list', () => {
    expect(() => applyProfileOptions(base(), { caps: 'most' })).toThrow('--caps must be one of all-but-audit, all, systemd, none, not "most"');
  });

  it('adds and drops in the preset form', () => {
    const p = applyProfileOptions(base(), { caps: 'systemd', 'cap-add': ['sys_time'], 'cap-drop': ['CAP_SYS_ADMIN'] });
    expect(p.capabilities.add).toContain('CAP_SYS_TIME');
    expect(p.capabilities.add).not.toContain('CAP_SYS_ADMIN');
  });
});

describe('--mount', () => {
  const examples: Record<(typeof MOUNT_TYPES)[number], string> = {
    bind: 'bind:/srv:/srv',
    'ro-bind': 'ro-bind:/srv:/srv',
    'dev-bind': 'dev-bind:/dev/null:/dev/x',
    tmpfs: 'tmpfs:/var/log:64M:0755',
    proc: 'proc:/proc2',
    dev: 'dev:/dev2',
    mqueue: 'mqueue:/dev/mqueue',
    dir: 'dir:/data:0700',
    symlink: 'symlink:/usr/lib:/lib64',
    'remount-ro': 'remount-ro:/',
  };

  it.each(MOUNT_TYPES)('parses a %s mount', (type) => {
    expect(parseMountSpec(examples[type]).type).toBe(type);
  });

  it('leaves optional fields out rather than empty', () => {
    expect(parseMountSpec('tmpfs:/var/log')).toEqual({ type: 'tmpfs', dest: '/var/log' });
    expect(parseMountSpec('tmpfs:/var/log:1T')).toEqual({ type: 'tmpfs', dest: '/var/log', size: '1T' });
  });

  it('names every type when it does not know one', () => {
    expect(() => parseMountSpec('overlay:/x')).toThrow(/unknown mount type "overlay"/);
    try {
      parseMountSpec('overlay:/x');
    } catch (e) {
      expect((e as { fix?: string }).fix).toBe(`use ${MOUNT_TYPES.slice(0, -1).join(', ')} or remount-ro`);
    }
  });

  it('says the syntax of a known type used wrongly', () => {
    expect(() => parseMountSpec('bind:/only-one')).toThrow('mount "bind:/only-one" should be bind:SOURCE:DEST');
    expect(() => parseMountSpec('tmpfs:relative')).toThrow(/must be an absolute path inside the machine/);
  });
});
