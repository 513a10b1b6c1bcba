// ssh into machines, in action (the text is ssh-config.ts): the configuration file Burrow keeps, the proxy
// that carries ssh to port 22 inside a machine's network namespace (no port on the host), the check that
// an sshd listens there, a public key installed for a guest user, and a machine's host keys forgotten when
// they may legitimately change.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MachineProfile } from '../contract/profile';
import { writeFileAtomic } from './atomic-file';
import { BurrowError } from './errors';
import { execCapture, type ExecTarget } from './exec';
import { nodeScriptCommand } from './node-runtime';
import { configDir, dataDir } from './paths';
import { listProfiles } from './profiles';
import { GUEST_USER_RE, sshConfigText, type SshContext, type SshMachine } from './ssh-config';
import { which } from './which';

export const sshConfigFile = (): string => path.join(configDir(), 'ssh', 'config');
const knownHostsDir = (): string => path.join(dataDir(), 'ssh', 'known_hosts');

/**
 * The guest user ssh logs in as unless told otherwise: the machine's share user (you, inside), else root
 * (machines made before shared folders, where root is you). The name is checked again: it goes on ssh's
 * command line, and a profile is a file anyone with your account could have edited.
 */
export function sshUserOf(profile: MachineProfile): string {
  const name = profile.shareUser?.name;
  return name !== undefined && GUEST_USER_RE.test(name) ? name : 'root';
}

export const sshMachine = (profile: MachineProfile, user = sshUserOf(profile)): SshMachine => ({ name: profile.name, machineId: profile.machineId, user });

/** The proxy is this Burrow's CLI (`ssh-proxy NAME`) on our own runtime, pinned to this configuration's folders. */
export function sshContext(env: NodeJS.ProcessEnv = process.env): SshContext {
  const cli = nodeScriptCommand(path.join(__dirname, 'cli.js'), ['ssh-proxy']);
  const folders: Record<string, string> = { XDG_CONFIG_HOME: path.dirname(configDir()), XDG_DATA_HOME: path.dirname(dataDir()) };
  if (env.XDG_RUNTIME_DIR) folders.XDG_RUNTIME_DIR = env.XDG_RUNTIME_DIR;
  return { proxy: [cli.file, ...cli.args], env: { ...cli.env, ...folders }, knownHostsDir: knownHostsDir() };
}

/** Writes the configuration for every machine there is; returns its path. */
export function writeSshConfig(): string {
  const file = sshConfigFile();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.mkdirSync(knownHostsDir(), { recursive: true, mode: 0o700 });
  writeFileAtomic(
    file,
    sshConfigText(
      listProfiles().profiles.map((p) => sshMachine(p)),
      sshContext(),
      file,
    ),
    0o600,
  );
  return file;
}

/** After machines come, change or go: rewrites the configuration where the user has one (ran `burrow ssh-config`). */
export function refreshSshConfig(): void {
  if (!fs.existsSync(sshConfigFile())) return;
  try {
    writeSshConfig();
  } catch {
    /* the next `burrow ssh-config` says why; a machine's own change must not fail over its ssh block */
  }
}

/** The line for ~/.ssh/config, and whether it is there already. */
export function includeLine(file = sshConfigFile(), home = os.homedir()): { line: string; present: boolean } {
  const line = `Include ${/\s/.test(file) ? `"${file}"` : file}`;
  let present = false;
  try {
    present = fs
      .readFileSync(path.join(home, '.ssh', 'config'), 'utf8')
      .split('\n')
      .some((l) => l.trim().split(/\s+/).includes(file) && /^\s*include\s/i.test(l));
  } catch {
    /* no ~/.ssh/config yet */
  }
  return { line, present };
}

/** A reset, a restored snapshot or removal may change the machine's host keys: its known_hosts file goes. */
export function forgetHostKeys(machineId: string): void {
  if (/^[0-9a-f]{32}$/.test(machineId)) fs.rmSync(path.join(knownHostsDir(), machineId), { force: true });
}

/** Where sshd listens for the proxy in PID 1's network namespace, read from its /proc/PID/net tables. */
export function sshdAddress(tcp: string, tcp6: string): '127.0.0.1' | '::1' | undefined {
  const listens = (table: string, addresses: RegExp) =>
    table.split('\n').some((l) => {
      const f = l.trim().split(/\s+/);
      return f[3] === '0A' && /:0016$/.test(f[1] ?? '') && addresses.test(f[1]!.split(':')[0]!);
    });
  if (listens(tcp, /^(00000000|0100007F)$/)) return '127.0.0.1';
  if (listens(tcp6, /^(0{32}|0{24}01000000)$/)) return '::1';
  return undefined;
}

const readOr = (file: string): string => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** Where to reach the machine's sshd, or a clear refusal: no ssh server inside, or one that is not running. */
export async function requireSshd(name: string, target: ExecTarget): Promise<'127.0.0.1' | '::1'> {
  const address = sshdAddress(readOr(`/proc/${target.pid1}/net/tcp`), readOr(`/proc/${target.pid1}/net/tcp6`));
  if (address) return address;
  // Asked inside, in the machine's own namespaces: its files are its own business.
  const installed = await execCapture(target, ['/bin/sh', '-c', 'command -v sshd >/dev/null || [ -x /usr/sbin/sshd ]'], 5000);
  if (installed.code === 0) {
    throw new BurrowError(
      'not-running',
      `the ssh server of machine "${name}" does not listen on port 22`,
      `start it: burrow shell ${name} -- systemctl start ssh`,
    );
  }
  const fix = `install one inside: burrow shell ${name} -- apt install openssh-server (or dnf install openssh-server), or use an image that has it`;
  throw new BurrowError('not-running', `machine "${name}" has no ssh server`, fix);
}

/** Copies stdin to the socket and the socket to stdout; ends when the connection does. Run inside the machine's network namespace. */
const RELAY = [
  "const s = require('net').connect(22, process.argv[1]);",
  "s.on('connect', () => { process.stdin.pipe(s); s.pipe(process.stdout); });",
  "s.on('error', (e) => { process.stderr.write('burrow ssh-proxy: ' + e.message + '\\n'); process.exitCode = 1; process.stdin.destroy(); });",
  "s.on('close', () => process.stdin.destroy());",
].join('\n');

/**
 * The relay, as the same unprivileged user: nsenter into PID 1's user and network namespaces only (the
 * host's files, so our runtime runs), with our own runtime in Node mode. An AppImage's binary is taken
 * from its mount, which stays while the `burrow ssh-proxy` that starts the relay waits for it.
 */
export function relayCommand(target: ExecTarget, address: string): { argv: string[]; env: Record<string, string> } {
  const nsenter = which('nsenter');
  if (!nsenter) throw new BurrowError('host-not-ready', 'nsenter is not installed', 'install util-linux');
  const argv = [nsenter, '-t', String(target.pid1), '--user', '--net', ...(target.single ? ['--preserve-credentials'] : []), '--'];
  const env: Record<string, string> = process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {};
  return { argv: [...argv, process.execPath, '-e', RELAY, '--', address], env };
}

const KEY_RE =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\x00-\x1f\x7f]{0,200})?$/;
const DEFAULT_KEYS = ['id_ed25519.pub', 'id_ecdsa.pub', 'id_ed25519_sk.pub', 'id_ecdsa_sk.pub', 'id_rsa.pub'];
const MAX_KEY_FILE = 16 * 1024;

/** A public key to install: the given file, or the first of ~/.ssh/id_*.pub; checked to be one key, one line. */
export function readPublicKey(file?: string, home = os.homedir()): { file: string; key: string } {
  const candidates = file ? [file] : DEFAULT_KEYS.map((k) => path.join(home, '.ssh', k));
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) {
    throw new BurrowError(
      'not-found',
      `no public key in ${path.join(home, '.ssh')} (${DEFAULT_KEYS.slice(0, 2).join(', ')}, …)`,
      'make one with: ssh-keygen -t ed25519, or give one with --key FILE.pub',
    );
  }
  const st = fs.statSync(found);
  if (!st.isFile() || st.size > MAX_KEY_FILE)
    throw new BurrowError('invalid-input', `${found} is not a public key file (not a file, or larger than 16 KiB)`, 'give the .pub file ssh-keygen made');
  const text = fs.readFileSync(found, 'utf8');
  if (text.includes('PRIVATE KEY')) throw new BurrowError('invalid-input', `${found} is a private key`, `give its public half: ${found}.pub`);
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length !== 1 || !KEY_RE.test(lines[0]!)) {
    throw new BurrowError('invalid-input', `${found} does not hold one OpenSSH public key on one line`, 'give the .pub file ssh-keygen made');
  }
  return { file: found, key: lines[0]! };
}

/**
 * Run by the guest's /bin/sh as its root, with the user and the key as $1 and $2: the user's home from its
 * own passwd, then ~/.ssh and authorized_keys made *as that user* (setpriv), so a link a guest user
 * planted there cannot lead root's writes elsewhere; a link is refused anyway, as sshd would not follow it.
 */
const INSTALL_KEY_SCRIPT = [
  'set -ef; u=$1; key=$2',
  'entry=$(getent passwd "$u") || { echo "there is no user $u in the machine" >&2; exit 3; }',
  'IFS=:; set -- $entry; unset IFS; uid=$3; gid=$4; home=$6',
  '[ -n "$home" ] && [ -d "$home" ] || { echo "$u has no home folder ($home)" >&2; exit 3; }',
  'as_user() { if [ "$uid" = 0 ]; then "$@"; else setpriv --reuid="$uid" --regid="$gid" --init-groups -- "$@"; fi; }',
  `as_user /bin/sh -c 'set -e; umask 077; cd "$1"
    [ ! -L .ssh ] || { echo "~/.ssh is a link: not followed" >&2; exit 4; }; mkdir -p .ssh; chmod 700 .ssh
    f=.ssh/authorized_keys; [ ! -L "$f" ] || { echo "~/.ssh/authorized_keys is a link: not followed" >&2; exit 4; }
    touch "$f"; chmod 600 "$f"; grep -qxF "$2" "$f" || printf "%s\\n" "$2" >> "$f"' burrow-key "$home" "$key"`,
].join('\n');

/** Installs `key` for `user` inside the running machine (its own namespaces and cgroup, as `burrow shell`). */
export async function installKey(name: string, target: ExecTarget, user: string, key: string): Promise<void> {
  const r = await execCapture(target, ['/bin/sh', '-c', INSTALL_KEY_SCRIPT, 'burrow-key', user, key], 15000);
  if (r.code === 0) return;
  const why = r.stderr.trim().split('\n').pop() || `exit ${r.code}`;
  throw new BurrowError(
    r.code === 3 ? 'not-found' : 'invalid-input',
    `the key could not be installed for ${user} in machine "${name}": ${why}`,
    r.code === 3 ? 'choose another user with --user NAME' : undefined,
  );
}
