// Choices that hand the machine your identity, said as such. Your files in the machine are its share
// user's (machines made before shares: root's), and root can write to them either way: whatever the
// machine can write as you, it can use to act as you. The one home of the rule: the launch plan's risks
// (printed by `burrow create`/`edit`, shown in the wizard's review) and the machine view both call
// riskyChoices. Shares are judged as the binds they are; the display by its parts (display.ts).
//
// The rule is lexical and pure (no file system here): paths are normalised (`..`, `.`, repeated and
// trailing slashes), and a caller that can look at the host passes `realpath` so a link to ~/.ssh is
// judged as ~/.ssh too. The window has no such access and judges the paths as written.
import { DISPLAY_PART_INFO } from './display';
import { isBindMount } from './mounts';
import type { MachineProfile, Mount } from './profile';

export interface RiskHost {
  home: string;
  uid?: number;
  /** The host's view of a path with every link resolved; undefined where it does not exist. */
  realpath?: (p: string) => string | undefined;
}

export interface RiskyChoice {
  /** danger: the machine can act as you. note: it can read something private. */
  level: 'danger' | 'note';
  text: string;
}

/** Folders and files under your home that hold credentials, or run code at your next login. */
export const CREDENTIAL_PATHS = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.kube',
  '.docker',
  '.config',
  '.local/share/keyrings',
  '.password-store',
  '.pki',
  '.netrc',
  '.git-credentials',
  '.mozilla',
  '.bashrc',
  '.bash_profile',
  '.profile',
  '.zshrc',
  '.zprofile',
  '.bash_login',
];

/** Host paths where a session's or a daemon's sockets live: whoever can connect to them acts as their owner. */
const RUNTIME_PATHS = ['/run', '/var/run', '/tmp/.X11-unix', '/tmp/.ICE-unix'];

function normal(p: string): string {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (!s || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return `/${out.join('/')}`;
}

/** `p` is `dir` or lies under it. */
const within = (p: string, dir: string) => p === dir || dir === '/' || p.startsWith(`${dir}/`);
/** One of the two holds the other: binding either exposes what they share. */
const overlaps = (a: string, b: string) => within(a, b) || within(b, a);

const ACT_AS_YOU = 'root in the machine can then act as you';

/** A risk in words: its parts are joined with spaces (so each stays a readable line in the source). */
const danger = (...parts: string[]): RiskyChoice => ({ level: 'danger', text: parts.join(' ') });
const note = (...parts: string[]): RiskyChoice => ({ level: 'note', text: parts.join(' ') });

/** Why binding `source` (writable or not) is dangerous, or undefined. */
function judge(source: string, writable: boolean, host: RiskHost, home: string): RiskyChoice | undefined {
  if (source === '/' && writable) {
    return danger(
      `the host's / is writable in the machine: ${ACT_AS_YOU}:`,
      "change every file you can change, your keys and your shell's startup files included.",
    );
  }
  const runtime = /^\/run\/user\/(\d+)(\/|$)/.exec(source);
  if (runtime || RUNTIME_PATHS.some((r) => overlaps(source, r)) || /\.sock$/.test(source)) {
    // A socket is connected to through a read-only bind as well: read-only changes nothing here.
    const whose =
      runtime && Number(runtime[1]) === host.uid
        ? "your session's runtime folder (its D-Bus, keyring and docker/podman sockets)"
        : 'where runtime sockets live (D-Bus, docker, podman, X11)';
    return danger(
      `${source} is ${whose}:`,
      'anything in the machine can talk to those services as you, and a docker or podman socket makes that root on the host.',
    );
  }
  const credential = CREDENTIAL_PATHS.map((c) => `${home}/${c}`).find((c) => overlaps(source, c));
  const holdsHome = within(home, source);
  if (holdsHome && writable) {
    return danger(
      `your home folder ${home} is writable in the machine: ${ACT_AS_YOU}:`,
      "read your keys, change your shell's startup files and run anything as you at your next login.",
    );
  }
  // Named as bound when it lies inside the sensitive folder (~/.ssh/authorized_keys), else the folder.
  const what = credential && within(source, credential) ? source : credential;
  if (credential && writable) {
    return danger(
      `${what} is writable in the machine: ${ACT_AS_YOU}:`,
      'read your keys, add its own (~/.ssh/authorized_keys) or change what runs at your next login.',
    );
  }
  if (holdsHome) return note(`your home folder ${home} is readable in the machine:`, 'root in it can read your keys and tokens and copy them out.');
  if (credential) return note(`${what} is readable in the machine:`, 'root in it can read the keys and tokens there and copy them out.');
  return undefined;
}

/** What the display's parts hand the machine (X11 is the one that reaches beyond its own windows). */
function displayRisks(display: MachineProfile['display']): RiskyChoice[] {
  if (!display) return [];
  const found: RiskyChoice[] = [];
  if (display.x11) found.push(danger(`X11: ${DISPLAY_PART_INFO.x11.exposes}:`, 'an app in the machine can then type into your terminal and act as you.'));
  if (display.wayland) found.push(note(`Wayland: ${DISPLAY_PART_INFO.wayland.exposes}.`));
  if (display.audio) found.push(note(`audio: ${DISPLAY_PART_INFO.audio.exposes}.`));
  if (display.gpu) found.push(note(`GPU: ${DISPLAY_PART_INFO.gpu.exposes}.`));
  return found;
}

/** The risky choices of a profile, one sentence each, the dangerous ones first. */
export function riskyChoices(
  profile: Pick<MachineProfile, 'mounts' | 'network'> & Partial<Pick<MachineProfile, 'shares' | 'display'>>,
  host: RiskHost,
): RiskyChoice[] {
  const home = normal(host.home);
  const homes = [home, ...(host.realpath?.(home) ? [normal(host.realpath(home)!)] : [])];
  const found: RiskyChoice[] = [];
  const shares = (profile.shares ?? []).map((s): Mount => ({ type: s.readOnly ? 'ro-bind' : 'bind', source: s.source, dest: s.dest }));
  for (const m of [...profile.mounts, ...shares]) {
    if (!isBindMount(m)) continue;
    if (m.type === 'dev-bind') {
      found.push(
        danger(
          `dev-bind ${m.source} gives the machine the host's device nodes there:`,
          'root in it can read and write every device you can (your terminals, disks you have access to).',
        ),
      );
      continue;
    }
    const written = normal(m.source);
    const resolved = host.realpath?.(written);
    const sources = resolved && normal(resolved) !== written ? [written, normal(resolved)] : [written];
    const verdicts = sources.flatMap((s) => homes.map((h) => judge(s, m.type === 'bind', host, h))).filter((v): v is RiskyChoice => !!v);
    const worst = verdicts.find((v) => v.level === 'danger') ?? verdicts[0];
    if (worst) found.push(worst);
  }
  if (profile.network.mode === 'host') {
    found.push(
      danger(
        'host networking: the machine shares your loopback, so it reaches services that listen only on 127.0.0.1',
        "and abstract unix sockets such as X11's (it can then type into your windows).",
      ),
    );
  }
  found.push(...displayRisks(profile.display));
  return [...found.filter((r) => r.level === 'danger'), ...found.filter((r) => r.level === 'note')];
}
