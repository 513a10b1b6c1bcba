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

describe('--network-name', () => {
  it('puts a nat machine on a named user network, and the default one is no name at all', () => {
    expect(applyProfileOptions(base(), { 'network-name': 'lab' }).network).toEqual({ mode: 'nat', ports: [], name: 'lab' });
    expect(applyProfileOptions({ ...base(), network: { mode: 'nat', ports: [], name: 'lab' } }, { 'network-name': 'default' }).network).toEqual({
      mode: 'nat',
      ports: [],
    });
  });

  it('keeps none: a nat machine on no user network', () => {
    expect(applyProfileOptions(base(), { 'network-name': 'none' }).network).toEqual({ mode: 'nat', ports: [], name: 'none' });
  });

  it('leaves the network when the machine leaves nat mode', () => {
    const named = { ...base(), network: { mode: 'nat' as const, ports: [], name: 'lab' } };
    expect(applyProfileOptions(named, { network: 'isolated' }).network).toEqual({ mode: 'isolated', ports: [] });
    expect(() => applyProfileOptions(base(), { network: 'host', 'network-name': 'lab' })).toThrow('--network-name needs the nat network mode');
  });

  it.each([
    ['a path', '../../etc'],
    ['a slash', 'a/b'],
    ['upper case', 'Lab'],
    ['a space', 'my lab'],
    ['a dot (unit and host names)', 'lab.burrow'],
    ['an escape sequence', '\x1b]0;owned\x07'],
    ['a newline', 'lab\nExecStart=/bin/sh'],
    ['an empty name', ''],
    ['a leading dash (an option to a tool)', '-lab'],
    ['32 characters', 'a'.repeat(32)],
  ])('refuses %s with the rule, in one short line', (_what, name) => {
    let message = '';
    try {
      applyProfileOptions(base(), { 'network-name': name });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('is not usable: a network name is 1-31 lowercase letters');
    expect(message).not.toMatch(/[\x00-\x1f]/);
    expect(message.length).toBeLessThan(200);
  });

  it('refuses a huge name without echoing all of it', () => {
    expect(() => applyProfileOptions(base(), { 'network-name': 'x'.repeat(1_000_000) })).toThrow(/"x{40}…" is not usable/);
  });
});
