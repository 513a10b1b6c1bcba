import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultProfile } from '../contract/profile';
import { createProfile, listProfiles, loadProfile, removeProfile, saveProfile } from './profiles';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-profiles-'));
  process.env.XDG_CONFIG_HOME = home;
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

const profile = (name: string) => defaultProfile({ name, rootfs: '/images/x', machineId: 'b'.repeat(32) });
const file = (name: string) => path.join(home, 'burrow', 'machines', `${name}.json`);

describe('profile store', () => {
  it('creates, loads, updates and removes profiles as one file each', () => {
    createProfile(profile('web'));
    expect(loadProfile('web').rootfs).toBe('/images/x');
    saveProfile({ ...profile('web'), hostname: 'www' });
    expect(loadProfile('web').hostname).toBe('www');
    expect(fs.readdirSync(path.dirname(file('web')))).toEqual(['web.json']);
    removeProfile('web');
    expect(() => loadProfile('web')).toThrow(/no machine named "web"/);
  });

  it('refuses a duplicate name and leaves the first profile untouched', () => {
    createProfile(profile('web'));
    const before = fs.readFileSync(file('web'), 'utf8');
    expect(() => createProfile({ ...profile('web'), rootfs: '/other' })).toThrow(/already exists/);
    expect(fs.readFileSync(file('web'), 'utf8')).toBe(before);
  });

  it('reports a corrupt profile with its path and leaves the file as it is', () => {
    createProfile(profile('good'));
    fs.writeFileSync(file('bad'), '{"version": 1, "name": ');
    const { profiles, broken } = listProfiles();
    expect(profiles.map((p) => p.name)).toEqual(['good']);
    expect(broken).toHaveLength(1);
    expect(broken[0]!.error).toMatch(/bad\.json\) cannot be read: not JSON/);
    expect(() => loadProfile('bad')).toThrow(expect.objectContaining({ fix: expect.stringContaining('burrow rm bad') }));
    expect(fs.readFileSync(file('bad'), 'utf8')).toBe('{"version": 1, "name": ');
  });
});
