// Turns `burrow create` options into profile changes, refusing bad ones with a clear reason.
import {
  CAPABILITY_PRESET_IDS,
  CAPABILITY_PRESETS,
  dropCapability,
  grantCapability,
  isCapabilityPresetId,
  normalizeCapability,
  type Capability,
} from '../contract/capabilities';
import { MOUNT_TYPES, type MountType } from '../contract/mounts';
import type { MachineProfile, Mount, PortForward } from '../contract/profile';
import { describeIssues, limitsSchema, mountSchema, NETWORK_MODES, networkSchema } from '../contract/profile';
import { DEFAULT_NETWORK_NAME, NETWORK_NAME_RE, NETWORK_NAME_RULE } from '../contract/network-name';
import { BurrowError } from '../engine/errors';
import { applyShareOptions, type ShareOptions } from './share-options';

export interface ProfileOptions extends ShareOptions {
  hostname?: string;
  'id-mapping'?: string;
  cgroups?: string;
  caps?: string;
  'cap-add'?: string[];
  'cap-drop'?: string[];
  ephemeral?: boolean;
  persistent?: boolean;
  direct?: boolean;
  network?: string;
  'network-name'?: string;
  publish?: string[];
  'no-ports'?: boolean;
  memory?: string;
  pids?: string;
  cpus?: string;
  'no-limits'?: boolean;
  mount?: string[];
  bind?: string[];
  'ro-bind'?: string[];
  tmpfs?: string[];
  env?: string[];
  init?: string;
  'stop-timeout'?: string;
}

function invalid(message: string, fix?: string): never {
  throw new BurrowError('invalid-input', message, fix);
}

function capability(name: string): Capability {
  const cap = normalizeCapability(name);
  if (!cap) invalid(`unknown capability "${name}"`, 'use a name from capabilities(7), like CAP_NET_ADMIN or net_admin');
  return cap;
}

function pair(spec: string, what: string): [string, string] {
  const i = spec.indexOf(':');
  if (i <= 0 || i === spec.length - 1) invalid(`${what} "${spec}" is not SOURCE:DEST`);
  return [spec.slice(0, i), spec.slice(i + 1)];
}

function checkMount(m: unknown): Mount {
  const parsed = mountSchema.safeParse(m);
  if (!parsed.success) invalid(`mount ${JSON.stringify(m)}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Each mount type's `--mount TYPE:ARGS` syntax, and the fields its arguments fill (a Record: none is left out). */
const MOUNT_SPECS: Record<MountType, { args: string; fields(a: string[]): Record<string, string | undefined> | undefined }> = {
  bind: { args: 'SOURCE:DEST', fields: bindFields },
  'ro-bind': { args: 'SOURCE:DEST', fields: bindFields },
  'dev-bind': { args: 'SOURCE:DEST', fields: bindFields },
  tmpfs: { args: 'DEST[:SIZE[:MODE]]', fields: ([dest, size, mode]) => ({ dest, size: size || undefined, mode: mode || undefined }) },
  dir: { args: 'DEST[:MODE]', fields: ([dest, mode]) => ({ dest, mode: mode || undefined }) },
  symlink: { args: 'TARGET:DEST', fields: ([target, dest]) => ({ target, dest }) },
  proc: { args: 'DEST', fields: ([dest]) => ({ dest }) },
  dev: { args: 'DEST', fields: ([dest]) => ({ dest }) },
  mqueue: { args: 'DEST', fields: ([dest]) => ({ dest }) },
  'remount-ro': { args: 'DEST', fields: ([dest]) => ({ dest }) },
};

function bindFields(args: string[]): Record<string, string> | undefined {
  return args.length === 2 ? { source: args[0]!, dest: args[1]! } : undefined;
}

/** `--mount TYPE:ARGS`: bind:SRC:DEST, ro-bind:SRC:DEST, tmpfs:DEST[:SIZE[:MODE]], dir:DEST, symlink:TARGET:DEST, remount-ro:DEST. */
export function parseMountSpec(spec: string): Mount {
  const [type = '', ...rest] = spec.split(':');
  if (!(MOUNT_TYPES as readonly string[]).includes(type)) {
    return invalid(`unknown mount type "${type}"`, `use ${MOUNT_TYPES.slice(0, -1).join(', ')} or ${MOUNT_TYPES.at(-1)}`);
  }
  const { args, fields } = MOUNT_SPECS[type as MountType];
  const filled = fields(rest);
  if (!filled) invalid(`mount "${spec}" should be ${type}:${args}`);
  // Absent optional fields are left out, so the schema sees the same shape a profile file has.
  return checkMount({ type, ...Object.fromEntries(Object.entries(filled).filter(([, v]) => v !== undefined)) });
}

const PORT_SPEC = /^(?:(127\.0\.0\.1|0\.0\.0\.0):)?(\d{1,5}):(\d{1,5})(?:\/(tcp|udp))?$/;

/** `-p [ADDRESS:]HOST:GUEST[/udp]`: ADDRESS 127.0.0.1 (default) or 0.0.0.0 (every interface). */
export function parsePortSpec(spec: string): PortForward {
  const m = PORT_SPEC.exec(spec);
  if (!m)
    invalid(
      `port forward "${spec}" is not [ADDRESS:]HOST:GUEST[/tcp|/udp]`,
      'e.g. -p 8080:80, -p 5353:53/udp, or -p 0.0.0.0:8080:80 to listen on every interface',
    );
  const [host, guest] = [Number(m[2]), Number(m[3])];
  for (const [what, n] of [
    ['host', host],
    ['guest', guest],
  ] as const) {
    if (n < 1 || n > 65535) invalid(`port forward "${spec}": the ${what} port must be 1-65535`);
  }
  return { host, guest, protocol: (m[4] as 'tcp' | 'udp' | undefined) ?? 'tcp', address: m[1] === '0.0.0.0' ? 'all' : 'loopback' };
}

function positiveNumber(flag: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
    invalid(`--${flag} must be a ${integer ? 'whole ' : ''}number, not "${value}"`);
  return n;
}

/** `--network-name NAME`: the user network a nat machine joins (the default one is stored as no name at all). */
function applyNetworkName(next: MachineProfile, name: string | undefined): void {
  if (name === undefined) return;
  if (!NETWORK_NAME_RE.test(name)) {
    const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
    invalid(`--network-name ${shown} is not usable: ${NETWORK_NAME_RULE}`, 'e.g. --network-name web');
  }
  if (next.network.mode !== 'nat') {
    invalid(`--network-name needs the nat network mode (this machine's is ${next.network.mode})`, 'add --network nat, or leave out --network-name');
  }
  if (name === DEFAULT_NETWORK_NAME) delete next.network.name;
  else next.network.name = name;
}

function applyNetworkAndLimits(next: MachineProfile, o: ProfileOptions): void {
  if (o.network !== undefined) {
    if (!(NETWORK_MODES as readonly string[]).includes(o.network))
      invalid(
        `--network must be ${NETWORK_MODES.join(', ')}, not "${o.network}"`,
        "nat: own network with outbound access and port forwards; isolated: loopback only; host: the host's network",
      );
    next.network.mode = o.network as MachineProfile['network']['mode'];
    if (next.network.mode !== 'nat' && !o.publish?.length) next.network.ports = [];
    if (next.network.mode !== 'nat' && o['network-name'] === undefined) delete next.network.name;
  }
  applyNetworkName(next, o['network-name']);
  if (o['no-ports']) next.network.ports = [];
  for (const spec of o.publish ?? []) next.network.ports.push(parsePortSpec(spec));
  const network = networkSchema.safeParse(next.network);
  if (!network.success)
    invalid(
      describeIssues(network.error).replace(/^ports(\.\d+)?: /, ''),
      next.network.mode !== 'nat' ? 'add --network nat to forward ports' : 'each host port can be forwarded once per protocol',
    );

  if (o['no-limits']) next.limits = {};
  const limits = { ...next.limits };
  if (o.memory !== undefined) limits.memory = o.memory.toUpperCase().replace(/I?B$/, '');
  if (o.pids !== undefined) limits.pids = positiveNumber('pids', o.pids, true);
  if (o.cpus !== undefined) limits.cpus = positiveNumber('cpus', o.cpus, false);
  const parsed = limitsSchema.safeParse(limits);
  if (!parsed.success) invalid(describeIssues(parsed.error), 'e.g. --memory 1G --pids 512 --cpus 1.5');
  next.limits = parsed.data;
}

export function applyProfileOptions(p: MachineProfile, o: ProfileOptions): MachineProfile {
  const next: MachineProfile = structuredClone(p);
  if (o.hostname !== undefined) next.hostname = o.hostname;
  if (o['id-mapping'] !== undefined) {
    if (o['id-mapping'] !== 'auto' && o['id-mapping'] !== 'single') invalid(`--id-mapping must be auto or single, not "${o['id-mapping']}"`);
    next.idMapping = o['id-mapping'];
  }
  if (o.cgroups !== undefined) {
    if (!['auto', 'unified', 'hybrid'].includes(o.cgroups)) invalid(`--cgroups must be auto, unified or hybrid, not "${o.cgroups}"`);
    next.cgroups = o.cgroups as MachineProfile['cgroups'];
  }
  if (o.caps !== undefined) {
    if (!isCapabilityPresetId(o.caps)) invalid(`--caps must be one of ${CAPABILITY_PRESET_IDS.join(', ')}, not "${o.caps}"`);
    next.capabilities = CAPABILITY_PRESETS[o.caps].choice();
  }
  for (const name of o['cap-add'] ?? []) next.capabilities = grantCapability(next.capabilities, capability(name));
  for (const name of o['cap-drop'] ?? []) next.capabilities = dropCapability(next.capabilities, capability(name));
  const storage = (['ephemeral', 'persistent', 'direct'] as const).filter((m) => o[m]);
  if (storage.length > 1)
    invalid(
      `choose one of --${storage.join(', --')}`,
      '--persistent keeps changes apart from the image, --ephemeral forgets them at stop, --direct writes into the rootfs',
    );
  if (storage[0]) next.storage = storage[0];
  applyNetworkAndLimits(next, o);
  for (const spec of o.mount ?? []) next.mounts.push(parseMountSpec(spec));
  for (const spec of o.bind ?? []) next.mounts.push(checkMount({ type: 'bind', source: pair(spec, '--bind')[0], dest: pair(spec, '--bind')[1] }));
  for (const spec of o['ro-bind'] ?? [])
    next.mounts.push(checkMount({ type: 'ro-bind', source: pair(spec, '--ro-bind')[0], dest: pair(spec, '--ro-bind')[1] }));
  for (const spec of o.tmpfs ?? []) next.mounts.push(parseMountSpec(`tmpfs:${spec}`));
  applyShareOptions(next, o);
  for (const kv of o.env ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) invalid(`--env "${kv}" is not NAME=VALUE`);
    next.env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  if (o.init !== undefined) next.init = o.init.split(' ').filter(Boolean);
  if (o['stop-timeout'] !== undefined) {
    const n = Number(o['stop-timeout']);
    if (!Number.isInteger(n) || n < 1 || n > 600) invalid(`--stop-timeout must be whole seconds from 1 to 600, not "${o['stop-timeout']}"`);
    next.stopTimeoutSec = n;
  }
  return next;
}
