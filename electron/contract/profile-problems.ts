// What is wrong with a machine's settings, one sentence per setting in the words of the field that sets it
// (never a schema path such as "network.ports.0.host", never "hostname: hostname: …"). The wizard shows
// each at its field as it is typed and marks the step that holds it; the rules are the schema's
// (profile.ts) plus what only a person choosing needs: a name to start with, an image chosen, the host's
// lowest bindable port. Runtime-free apart from the schema.
import { MACHINE_NAME_RE, MACHINE_NAME_RULE, suggestHostPort } from './plain';
import { profileSchema, type MachineProfile } from './profile';

export interface SettingProblem {
  /** The setting, as the profile names it (`name`, `image`, `network.ports.0.host`): the field that shows it. */
  setting: string;
  /** The setting in words, for a list away from its field (`Forward 1, host port`). */
  label: string;
  message: string;
}

export interface ProblemContext {
  /** Where the machine's files come from: an image of the store (`image` names it), or a folder (`rootfs`). */
  source: 'image' | 'folder';
  /** Names already taken, for a new machine (an edit keeps its own). */
  taken?: readonly string[];
  /** The lowest host port an ordinary user may bind on this host (net.ipv4.ip_unprivileged_port_start). */
  portStart?: number;
}

/** A name the rules accept, made from what someone typed (`My Machine!` → `my-machine`), or undefined. */
export function suggestName(typed: string): string | undefined {
  const name = typed
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 63);
  return MACHINE_NAME_RE.test(name) ? name : undefined;
}

/** `base`, or `base-2`, `base-3`… whichever is not taken. */
export function uniqueName(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) {
    const name = `${base.slice(0, 60)}-${n}`;
    if (!taken.includes(name)) return name;
  }
}

const MOUNT_FIELDS: Record<string, string> = { dest: 'destination', source: 'source', target: 'link target', size: 'size', mode: 'mode' };
const PORT_FIELDS: Record<string, string> = { host: 'host port', guest: 'machine port' };
const LABELS: Record<string, string> = {
  name: 'Name',
  image: 'Image',
  rootfs: 'Folder',
  hostname: 'Hostname',
  storage: 'Storage',
  network: 'Network',
  'network.mode': 'Network',
  'network.ports': 'Port forwards',
  'limits.memory': 'Memory limit',
  'limits.pids': 'Process limit',
  'limits.cpus': 'CPU limit',
  capabilities: 'Capabilities',
  namespaces: 'Namespaces',
  mounts: 'Mounts',
  shareUser: 'Share user',
  display: 'Display',
  cgroups: 'cgroups',
  env: 'Environment',
  init: 'Init',
  maskUnits: 'Masked units',
  stopTimeoutSec: 'Stop timeout',
};

/** A setting in words: `mounts.2.dest` → `Mount 3, destination`, `network.ports.0` → `Forward 1`. */
export function settingLabel(setting: string): string {
  const [top, index, field] = setting.split('.');
  if (top === 'mounts' && index !== undefined) return `Mount ${Number(index) + 1}${field ? `, ${MOUNT_FIELDS[field] ?? field}` : ''}`;
  if (setting.startsWith('network.ports.')) {
    const [, , i, f] = setting.split('.');
    return `Forward ${Number(i) + 1}${f ? `, ${PORT_FIELDS[f] ?? f}` : ''}`;
  }
  if (top === 'shares' && index !== undefined)
    return `Share ${Number(index) + 1}${field ? `, ${field === 'dest' ? 'folder inside' : field === 'source' ? 'host folder' : field}` : ''}`;
  if (top === 'env' && index !== undefined) return `Environment variable ${index}`;
  return LABELS[setting] ?? LABELS[top!] ?? top!;
}

/** The schema's rules, each issue at its setting (the first issue of a setting wins). */
function schemaProblems(draft: MachineProfile): Map<string, string> {
  const found = new Map<string, string>();
  const parsed = profileSchema.safeParse(draft);
  if (parsed.success) return found;
  for (const issue of parsed.error.issues) {
    // The capability and namespace switches are one group each: a problem is the group's.
    const path = ['capabilities', 'namespaces'].includes(String(issue.path[0])) ? String(issue.path[0]) : issue.path.join('.');
    if (!found.has(path)) found.set(path, issue.message);
  }
  return found;
}

function nameProblem(name: string, taken: readonly string[]): string | undefined {
  if (!name) return 'Give the machine a name.';
  if (!MACHINE_NAME_RE.test(name)) {
    const better = suggestName(name);
    return `${MACHINE_NAME_RULE[0]!.toUpperCase()}${MACHINE_NAME_RULE.slice(1)}${better ? `: "${better}" would do.` : '.'}`;
  }
  if (taken.includes(name)) return `A machine named "${name}" already exists: "${uniqueName(name, taken)}" is free.`;
  return undefined;
}

/**
 * Every problem of a draft, at its setting. A name the rules refuse is said once, at the name (the hostname
 * follows the name, so its own complaint would only repeat it); a missing image or folder is said at the
 * field that chooses it, not as "rootfs: must be an absolute path".
 */
export function profileProblems(draft: MachineProfile, ctx: ProblemContext): SettingProblem[] {
  const found = schemaProblems(draft);
  const name = nameProblem(draft.name, ctx.taken ?? []);
  found.delete('name');
  if (name) {
    found.set('name', name);
    found.delete('hostname');
  }
  const rootfs = found.get('rootfs');
  found.delete('rootfs');
  if (ctx.source === 'image' && !draft.image) found.set('image', 'Choose an image, or build or import one.');
  else if (ctx.source === 'folder' && !draft.rootfs) found.set('rootfs', "Type the folder's path: the folder that holds the machine's /usr and /etc.");
  else if (rootfs) found.set('rootfs', `The folder's path ${rootfs}`);
  const start = ctx.portStart ?? 1024;
  draft.network.ports.forEach((p, i) => {
    const at = `network.ports.${i}.host`;
    if (found.has(at) || !Number.isInteger(p.host) || p.host < 1 || p.host >= start) return;
    const taken = draft.network.ports.map((x) => x.host);
    found.set(at, `Host port ${p.host} is below ${start}, the lowest port you may use on this host: ${suggestHostPort(p.guest, taken, start)} would do.`);
  });
  return [...found].map(([setting, message]) => ({ setting, label: settingLabel(setting), message: sentence(message) }));
}

/** Schema messages are phrases (`must be at least 16: …`): shown alone they read as sentences. */
function sentence(message: string): string {
  const text = `${message[0]!.toUpperCase()}${message.slice(1)}`;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
