// ssh into machines, as text: the ssh configuration Burrow keeps (one Host block per machine, NAME.burrow)
// and the options `burrow ssh` passes. Pure: paths and the proxy command come in, lines go out.
//
// Every machine gets a block of its own, with its name written into its ProxyCommand, rather than one
// `Host *.burrow` block with `%n`: ssh puts %n into a command line that a shell runs, and OpenSSH before
// 9.6 (Debian 12 has 9.2) lets a host name on the command line carry shell syntax (CVE-2023-51385: a git
// submodule URL was enough). Here a name that is not a machine's matches no block at all.
//
// Host keys: each machine has a known_hosts file of its own (by machine id, not name) with
// StrictHostKeyChecking accept-new and HostKeyAlias NAME.burrow. The first connection records the key
// without a prompt (the path is a local one into the machine's own network namespace, found by Burrow, not
// a network a stranger could sit on); a key that changes later is refused, as for any host. A clone has a
// new id and so a new file; a reset or a restored snapshot may bring other keys back, so Burrow forgets the
// machine's file then (ssh.ts), and a removed machine's file goes with it.
import { MACHINE_NAME_RE } from '../contract/plain';
import { BurrowError } from './errors';
import { shellJoin } from './shell-quote';

export const SSH_SUFFIX = '.burrow';
export const sshAlias = (machine: string): string => `${machine}${SSH_SUFFIX}`;

export interface SshMachine {
  name: string;
  machineId: string;
  /** The guest user ssh logs in as. */
  user: string;
}

export interface SshContext {
  /** The command that relays stdin and stdout to a machine's port 22, before the machine's name. */
  proxy: string[];
  /** Set for the proxy command: which Burrow configuration the machine belongs to (XDG folders). */
  env: Record<string, string>;
  /** Burrow's folder of per-machine known_hosts files. */
  knownHostsDir: string;
}

/** A guest user name ssh can be given as it is (POSIX portable names, as useradd takes them). */
export const GUEST_USER_RE = /^[a-z_][a-z0-9_-]{0,31}\$?$/;

/** ssh reads its configuration line by line, and quotes and backslashes in arguments: paths with them are refused. */
function refuseUnsafe(what: string, value: string, quotes: boolean): void {
  if ((quotes ? /[\x00-\x1f\x7f"\\]/ : /[\x00-\x1f\x7f]/).test(value)) {
    const which = quotes ? 'a control character, a double quote or a backslash' : 'a control character';
    throw new BurrowError(
      'invalid-input',
      `${what} cannot go into an ssh configuration: it holds ${which}`,
      'use folders without them (XDG_CONFIG_HOME, XDG_DATA_HOME)',
    );
  }
}

/** An ssh_config argument: %-tokens escaped where ssh expands them, double quotes around spaces. */
function configArg(what: string, value: string, tokens: boolean): string {
  refuseUnsafe(what, value, true);
  const escaped = tokens ? value.replace(/%/g, '%%') : value;
  return /\s/.test(escaped) ? `"${escaped}"` : escaped;
}

function checkMachine(m: SshMachine): void {
  if (!MACHINE_NAME_RE.test(m.name)) throw new BurrowError('invalid-input', `${JSON.stringify(m.name)} is not a machine name`);
  if (!/^[0-9a-f]{32}$/.test(m.machineId)) throw new BurrowError('invalid-input', `machine ${m.name} has no valid machine id`);
  if (!GUEST_USER_RE.test(m.user)) throw new BurrowError('invalid-input', `${JSON.stringify(m.user)} is not a user name ssh can log in as`, 'e.g. --user root');
}

/**
 * The proxy command, as the shell that ssh starts reads it (ssh takes the rest of the line as it is and
 * runs `sh -c "exec …"`, after expanding %-tokens): shell-quoted, with every % doubled.
 */
function proxyCommand(m: SshMachine, ctx: SshContext): string {
  const env = Object.entries(ctx.env).map(([k, v]) => `${k}=${v}`);
  const line = shellJoin([...(env.length ? ['env', ...env] : []), ...ctx.proxy, m.name]);
  refuseUnsafe('the proxy command', line, false);
  return line.replace(/%/g, '%%');
}

/** The options for one machine, in the order a Host block lists them. */
export function sshOptions(m: SshMachine, ctx: SshContext): [string, string][] {
  checkMachine(m);
  return [
    ['User', m.user],
    ['ProxyCommand', proxyCommand(m, ctx)],
    ['HostKeyAlias', sshAlias(m.name)],
    ['UserKnownHostsFile', configArg('the known_hosts folder', `${ctx.knownHostsDir}/${m.machineId}`, true)],
    ['StrictHostKeyChecking', 'accept-new'],
  ];
}

export function sshConfigText(machines: SshMachine[], ctx: SshContext, file: string): string {
  const header = [
    '# Burrow keeps this file: one Host block per machine, rewritten when machines are created, changed or removed.',
    '# Include it once, above any Host or Match line of ~/.ssh/config (`burrow ssh-config` prints the line):',
    `#   Include ${configArg('this file', file, false)}`,
    "# then: ssh NAME.burrow, or NAME.burrow in VS Code's Remote-SSH. Edits here are replaced.",
    '',
  ];
  const blocks = [...machines]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => [`Host ${sshAlias(m.name)}`, ...sshOptions(m, ctx).map(([k, v]) => `  ${k} ${v}`), ''].join('\n'));
  return [...header, ...blocks].join('\n');
}

/** `burrow ssh`: the same options on ssh's command line, so the user's own ~/.ssh/config (keys, agent) still applies. */
export function sshArgs(m: SshMachine, ctx: SshContext, extra: string[], command: string[]): string[] {
  const options = sshOptions(m, ctx).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
  return [...options, ...extra, sshAlias(m.name), ...(command.length ? ['--', ...command] : [])];
}
