// ssh into machines without a port on the host: `burrow ssh NAME`, `burrow ssh-config` (the Include line
// for ~/.ssh/config, so `ssh NAME.burrow` and VS Code's Remote-SSH work), and `burrow ssh-proxy NAME`,
// the ProxyCommand that configuration runs.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { BurrowError } from '../engine/errors';
import { execTarget } from '../engine/exec';
import { loadProfile } from '../engine/profiles';
import { sshAlias, sshArgs, GUEST_USER_RE } from '../engine/ssh-config';
import { includeLine, installKey, readPublicKey, relayCommand, requireSshd, sshContext, sshMachine, sshUserOf, writeSshConfig } from '../engine/ssh';
import { which } from '../engine/which';
import type { Command } from './commands';
import { oneName, out } from './format';

/** Runs a command with our terminal and passes its exit status through. */
function runInherited(argv: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 1) : 1)));
    child.on('error', () => resolve(127));
  });
}

/** The private half of FILE.pub, where it lies beside it (ssh is then told to use it). */
function identityOf(publicKey: string): string[] {
  const secret = publicKey.replace(/\.pub$/, '');
  return secret !== publicKey && fs.existsSync(secret) ? ['-i', secret] : [];
}

export const SSH_COMMANDS: Command[] = [
  {
    name: 'ssh',
    usage: 'ssh NAME [--user U] [--install-key [--key FILE.pub]] [-- CMD...]',
    summary: "ssh into the machine's sshd, with no port on the host (as ssh NAME.burrow)",
    details:
      'The machine needs an ssh server (apt install openssh-server inside). --install-key first adds your public key\n' +
      "to the user's ~/.ssh/authorized_keys inside. CMD is run as ssh runs it: one line for the machine's shell.",
    options: {
      user: { type: 'string', help: 'the guest user to log in as (default root)' },
      'install-key': { type: 'boolean', help: 'install your public key for that user first' },
      key: { type: 'string', help: 'the public key to install and use (default ~/.ssh/id_ed25519.pub, id_ecdsa.pub or id_rsa.pub)' },
    },
    async run(p, v) {
      const [name, ...command] = p;
      oneName(name ? [name] : [], 'ssh NAME [-- CMD...]');
      const profile = loadProfile(name!);
      const user = typeof v.user === 'string' ? v.user : sshUserOf(profile);
      if (!GUEST_USER_RE.test(user))
        throw new BurrowError('invalid-input', `--user ${JSON.stringify(user.slice(0, 40))} is not a user name`, 'e.g. --user root');
      const ssh = which('ssh');
      if (!ssh) throw new BurrowError('host-not-ready', 'the ssh client is not installed', 'install it: sudo apt install openssh-client');
      const target = execTarget(profile);
      await requireSshd(name!, target);
      const keyFile = typeof v.key === 'string' ? v.key : undefined;
      if (v['install-key']) {
        const { file, key } = readPublicKey(keyFile);
        await installKey(name!, target, user, key);
        out(`installed ${file} for ${user} in ${name}`);
      }
      return runInherited([ssh, ...sshArgs(sshMachine(profile, user), sshContext(), keyFile ? identityOf(keyFile) : [], command)]);
    },
  },
  {
    name: 'ssh-config',
    usage: 'ssh-config',
    summary: 'write the ssh configuration for your machines (NAME.burrow) and print the line for ~/.ssh/config',
    async run() {
      const file = writeSshConfig();
      const { line, present } = includeLine(file);
      out(`Burrow's ssh configuration: ${file} (kept current as machines come and go)`);
      if (present) out('~/.ssh/config includes it already.');
      else {
        out('Add this line once to ~/.ssh/config, above any Host or Match line:');
        out(`  ${line}`);
      }
      out(`Then: ssh NAME.burrow (e.g. ssh ${sshAlias('web')}), or that name in VS Code's Remote-SSH.`);
      return 0;
    },
  },
  {
    name: 'ssh-proxy',
    usage: 'ssh-proxy NAME',
    summary: "relay stdin and stdout to the machine's port 22 (the ProxyCommand of burrow ssh-config; not for use by hand)",
    hidden: true,
    async run(p) {
      const name = oneName(p, 'ssh-proxy NAME');
      const target = execTarget(loadProfile(name));
      const relay = relayCommand(target, await requireSshd(name, target));
      return runInherited(relay.argv, relay.env);
    },
  },
];
