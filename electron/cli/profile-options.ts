// Turns `burrow create` options into profile changes, refusing bad ones with a clear reason.
import { AUDIT_CAPABILITIES, SYSTEMD_CAPABILITIES, normalizeCapability, type Capability } from '../contract/capabilities';
import type { MachineProfile, Mount, PortForward } from '../contract/profile';
import { describeIssues, limitsSchema, mountSchema, NETWORK_MODES, networkSchema } from '../contract/profile';
import { BurrowError } from '../engine/errors';

export interface ProfileOptions {
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

/** `--mount TYPE:ARGS`: bind:SRC:DEST, ro-bind:SRC:DEST, tmpfs:DEST[:SIZE[:MODE]], dir:DEST, symlink:TARGET:DEST, remount-ro:DEST. */
export function parseMountSpec(spec: string): Mount {
  const [type, ...rest] = spec.split(':');
  switch (type) {
    case 'bind':
    case 'ro-bind':
    case 'dev-bind':
      if (rest.length !== 2) invalid(`mount "${spec}" should be ${type}:SOURCE:DEST`);
      return checkMount({ type, source: rest[0], dest: rest[1] });
    case 'tmpfs':
      return checkMount({ type, dest: rest[0], ...(rest[1] ? { size: rest[1] } : {}), ...(rest[2] ? { mode: rest[2] } : {}) });
    case 'dir':
      return checkMount({ type, dest: rest[0], ...(rest[1] ? { mode: rest[1] } : {}) });
    case 'symlink':
      return checkMount({ type, target: rest[0], dest: rest[1] });
    case 'proc':
    case 'dev':
    case 'mqueue':
    case 'remount-ro':
      return checkMount({ type, dest: rest[0] });
    default:
      return invalid(`unknown mount type "${type}"`, 'use bind, ro-bind, dev-bind, tmpfs, proc, dev, mqueue, dir, symlink or remount-ro');
  }
}

const PORT_SPEC = /^(?:(127\.0\.0\.1|0\.0\.0\.0):)?(\d{1,5}):(\d{1,5})(?:\/(tcp|udp))?$/;

/** `-p [ADDRESS:]HOST:GUEST[/udp]`: ADDRESS 127.0.0.1 (default) or 0.0.0.0 (every interface). */
export function parsePortSpec(spec: string): PortForward {
  const m = PORT_SPEC.exec(spec);
  if (!m) invalid(`port forward "${spec}" is not [ADDRESS:]HOST:GUEST[/tcp|/udp]`, 'e.g. -p 8080:80, -p 5353:53/udp, or -p 0.0.0.0:8080:80 to listen on every interface');
  const [host, guest] = [Number(m[2]), Number(m[3])];
  for (const [what, n] of [['host', host], ['guest', guest]] as const) {
    if (n < 1 || n > 65535) invalid(`port forward "${spec}": the ${what} port must be 1-65535`);
  }
  return { host, guest, protocol: (m[4] as 'tcp' | 'udp' | undefined) ?? 'tcp', address: m[1] === '0.0.0.0' ? 'all' : 'loopback' };
}

function positiveNumber(flag: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) invalid(`--${flag} must be a ${integer ? 'whole ' : ''}number, not "${value}"`);
  return n;
}

function applyNetworkAndLimits(next: MachineProfile, o: ProfileOptions): void {
  if (o.network !== undefined) {
    if (!(NETWORK_MODES as readonly string[]).includes(o.network)) invalid(`--network must be ${NETWORK_MODES.join(', ')}, not "${o.network}"`, 'nat: own network with outbound access and port forwards; isolated: loopback only; host: the host\'s network');
    next.network.mode = o.network as MachineProfile['network']['mode'];
    if (next.network.mode !== 'nat' && !o.publish?.length) next.network.ports = [];
  }
  if (o['no-ports']) next.network.ports = [];
  for (const spec of o.publish ?? []) next.network.ports.push(parsePortSpec(spec));
  const network = networkSchema.safeParse(next.network);
  if (!network.success) invalid(describeIssues(network.error).replace(/^ports(\.\d+)?: /, ''), next.network.mode !== 'nat' ? 'add --network nat to forward ports' : 'each host port can be forwarded once per protocol');

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
    const presets: Record<string, MachineProfile['capabilities']> = {
      'all-but-audit': { add: 'ALL', drop: [...AUDIT_CAPABILITIES] },
      all: { add: 'ALL', drop: [] },
      systemd: { add: [...SYSTEMD_CAPABILITIES], drop: [] },
      none: { add: [], drop: [] },
    };
    const preset = presets[o.caps];
    if (!preset) invalid(`--caps must be one of ${Object.keys(presets).join(', ')}, not "${o.caps}"`);
    next.capabilities = structuredClone(preset);
  }
  for (const name of o['cap-add'] ?? []) {
    const cap = capability(name);
    next.capabilities.drop = next.capabilities.drop.filter((c) => c !== cap);
    if (next.capabilities.add !== 'ALL' && !next.capabilities.add.includes(cap)) next.capabilities.add.push(cap);
  }
  for (const name of o['cap-drop'] ?? []) {
    const cap = capability(name);
    if (next.capabilities.add === 'ALL') {
      if (!next.capabilities.drop.includes(cap)) next.capabilities.drop.push(cap);
    } else next.capabilities.add = next.capabilities.add.filter((c) => c !== cap);
  }
  const storage = (['ephemeral', 'persistent', 'direct'] as const).filter((m) => o[m]);
  if (storage.length > 1) invalid(`choose one of --${storage.join(', --')}`, '--persistent keeps changes apart from the image, --ephemeral forgets them at stop, --direct writes into the rootfs');
  if (storage[0]) next.storage = storage[0];
  applyNetworkAndLimits(next, o);
  for (const spec of o.mount ?? []) next.mounts.push(parseMountSpec(spec));
  for (const spec of o.bind ?? []) next.mounts.push(checkMount({ type: 'bind', source: pair(spec, '--bind')[0], dest: pair(spec, '--bind')[1] }));
  for (const spec of o['ro-bind'] ?? []) next.mounts.push(checkMount({ type: 'ro-bind', source: pair(spec, '--ro-bind')[0], dest: pair(spec, '--ro-bind')[1] }));
  for (const spec of o.tmpfs ?? []) next.mounts.push(parseMountSpec(`tmpfs:${spec}`));
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
