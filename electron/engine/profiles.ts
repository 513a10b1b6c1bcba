// The profile store: one JSON file per machine under $XDG_CONFIG_HOME/burrow/machines/, written atomically.
// A corrupt file is reported and left exactly as it is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MACHINE_NAME_RE, MACHINE_NAME_RULE } from '../contract/plain';
import type { MachineProfile } from '../contract/profile';

/**
 * The schema, loaded when a profile is first validated: zod takes about 15 ms to load, which `burrow stop`,
 * `status` and the like need not pay (they only check that the machine exists).
 */
const schema = (): typeof import('../contract/profile') => require('../contract/profile');
/** Burrow's ssh configuration has a block per machine: it follows every change of the store (ssh.ts). */
const sshConfig = (): typeof import('./ssh') => require('./ssh');
import { writeFileAtomic } from './atomic-file';
import { BurrowError } from './errors';
import { machinesDir } from './paths';

export interface BrokenProfile {
  name: string;
  file: string;
  error: string;
}

const fileFor = (name: string): string => path.join(machinesDir(), `${name}.json`);

export function checkName(name: string): void {
  if (!MACHINE_NAME_RE.test(name)) throw new BurrowError('invalid-input', `invalid machine name ${JSON.stringify(name)}: ${MACHINE_NAME_RULE}`);
}

export function validateProfile(value: unknown, where = 'profile'): MachineProfile {
  const { profileSchema, describeIssues } = schema();
  const parsed = profileSchema.safeParse(value);
  if (!parsed.success) throw new BurrowError('invalid-input', `${where} is not valid: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function parseFile(file: string, name: string): MachineProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw corrupt(file, name, e instanceof SyntaxError ? `not JSON (${e.message})` : String(e));
  }
  const { profileSchema, migrateProfile, describeIssues } = schema();
  const parsed = profileSchema.safeParse(migrateProfile(raw));
  if (!parsed.success) throw corrupt(file, name, describeIssues(parsed.error));
  if (parsed.data.name !== name) throw corrupt(file, name, `it names machine "${parsed.data.name}"`);
  return parsed.data;
}

function corrupt(file: string, name: string, why: string): BurrowError {
  return new BurrowError(
    'corrupt-profile',
    `the profile of machine "${name}" (${file}) cannot be read: ${why}. It was left as it is.`,
    `repair the file by hand, or delete it with: burrow rm ${name}`,
  );
}

export function exists(name: string): boolean {
  return fs.existsSync(fileFor(name));
}

/** The machine exists (its profile file does), whatever the file holds; its path. */
export function requireMachine(name: string): string {
  checkName(name);
  const file = fileFor(name);
  if (!fs.existsSync(file)) throw new BurrowError('not-found', `no machine named "${name}"`, 'list machines with: burrow ls');
  return file;
}

export function loadProfile(name: string): MachineProfile {
  return parseFile(requireMachine(name), name);
}

export function listProfiles(): { profiles: MachineProfile[]; broken: BrokenProfile[] } {
  const dir = machinesDir();
  const profiles: MachineProfile[] = [];
  const broken: BrokenProfile[] = [];
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return { profiles, broken };
  }
  for (const entry of entries.sort()) {
    if (!entry.endsWith('.json') || entry.startsWith('.')) continue;
    const name = entry.slice(0, -5);
    const file = path.join(dir, entry);
    try {
      profiles.push(parseFile(file, name));
    } catch (e) {
      broken.push({ name, file, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return { profiles, broken };
}

/** Creates a new profile; refuses (race-free, via link) if the name is taken. */
export function createProfile(profile: MachineProfile): void {
  const valid = validateProfile(profile);
  fs.mkdirSync(machinesDir(), { recursive: true, mode: 0o700 });
  const target = fileFor(valid.name);
  const tmp = `${target}.${process.pid}.new`;
  fs.writeFileSync(tmp, JSON.stringify(valid, null, 2) + '\n', { mode: 0o600 });
  try {
    fs.linkSync(tmp, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new BurrowError(
        'exists',
        `a machine named "${valid.name}" already exists`,
        'choose another name, or remove it first with: burrow rm ' + valid.name,
      );
    }
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  sshConfig().refreshSshConfig();
}

/** Replaces an existing profile atomically. */
export function saveProfile(profile: MachineProfile): void {
  const valid = validateProfile(profile);
  if (!exists(valid.name)) throw new BurrowError('not-found', `no machine named "${valid.name}"`);
  writeFileAtomic(fileFor(valid.name), JSON.stringify(valid, null, 2) + '\n', 0o600);
  sshConfig().refreshSshConfig();
}

export function removeProfile(name: string): void {
  checkName(name);
  const file = fileFor(name);
  if (!fs.existsSync(file)) throw new BurrowError('not-found', `no machine named "${name}"`, 'list machines with: burrow ls');
  fs.rmSync(file);
  sshConfig().refreshSshConfig();
}
