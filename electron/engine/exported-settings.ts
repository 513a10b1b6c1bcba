// `burrow create NEW --image IMG --exported-settings`: a machine moved with `burrow export` gets back the
// settings it had (network and ports, limits, capabilities, mounts, environment…). They came inside an
// archive, so they are checked like any profile, and what names the other computer is left out: binds of
// its folders, its machine id, its paths. What widens the machine's reach is said, not silently applied.
import type { ImageRecord } from '../contract/image';
import { DEFAULT_MOUNTS, describeIssues, migrateProfile, profileSchema, type MachineProfile, type Mount } from '../contract/profile';
import { BurrowError } from './errors';

const HOST_BINDS: Mount['type'][] = ['bind', 'ro-bind', 'dev-bind'];
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const describeBind = (m: Mount) => ('source' in m ? `${m.source}:${m.dest}` : m.dest);
const forwards = (n: number) => (n ? ` with ${plural(n, 'port forward')}` : '');
/** Binds every machine gets (/sys read-only): the same on any computer, so they stay. */
const isDefault = (m: Mount): boolean => DEFAULT_MOUNTS.some((d) => JSON.stringify(d) === JSON.stringify(m));
const namesOtherComputer = (m: Mount): boolean => HOST_BINDS.includes(m.type) && !isDefault(m);

export function applyExportedSettings(image: ImageRecord, base: MachineProfile): { profile: MachineProfile; notes: string[] } {
  if (!image.exported)
    throw new BurrowError(
      'invalid-input',
      `image "${image.name}" is not a machine's export, so it has no settings to take`,
      `leave out --exported-settings, or import a file made by: burrow export NAME FILE`,
    );
  const parsed = profileSchema.safeParse(migrateProfile(image.exported.profile));
  if (!parsed.success)
    throw new BurrowError(
      'invalid-input',
      `the settings exported with image "${image.name}" are not valid here: ${describeIssues(parsed.error)}`,
      'leave out --exported-settings and set them with the usual options',
    );
  const old = parsed.data;
  const notes: string[] = [];
  const dropped = old.mounts.filter(namesOtherComputer);
  if (dropped.length)
    notes.push(
      `left out ${plural(dropped.length, 'bind mount')} of the other computer's folders (${dropped.map(describeBind).join(', ')}); add your own with --bind`,
    );
  if (old.shares?.length)
    notes.push(
      `left out ${plural(old.shares.length, 'shared folder')} of the other computer ` +
        `(${old.shares.map((s) => `${s.source}:${s.dest}`).join(', ')}); add your own with --share`,
    );
  if (old.network.mode === 'host') notes.push("network host: the machine shares this computer's network, as it did where it was exported");
  if (old.capabilities.add === 'ALL' && !old.capabilities.drop.length) notes.push('capabilities: all of them, audit included');
  const defaultHostname = old.name.replace(/_/g, '-');
  const profile: MachineProfile = {
    ...old,
    version: base.version,
    name: base.name,
    rootfs: base.rootfs,
    image: base.image,
    storage: base.storage,
    machineId: base.machineId,
    hostname: old.hostname === defaultHostname ? base.hostname : old.hostname,
    mounts: old.mounts.filter((m) => !namesOtherComputer(m)),
    shares: undefined,
  };
  notes.unshift(
    `settings of machine "${image.exported.machine}" as exported on ${image.exported.exportedAt}: ` +
      `network ${old.network.mode}${forwards(old.network.ports.length)}`,
  );
  return { profile, notes };
}
