// ssh into real machines with no port on the host: `burrow ssh`, and plain `ssh NAME.burrow` through the
// configuration `burrow ssh-config` writes (what VS Code's Remote-SSH uses). Keys are installed where sshd
// reads them, with its owners and modes; a machine without sshd is refused with the fix; hostile host names,
// key files and planted links lead nowhere; host keys are pinned per machine and forgotten on a reset.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, imageTar, ok, waitFor, type Sandbox } from './harness';

let sb: Sandbox;
let key: string;
let userConfig: string;
const inside = (name: string, ...cmd: string[]) => sb.burrow(['shell', name, '--', ...cmd]);
/** Plain ssh with a user configuration that only includes Burrow's, and a key of the test's own. */
const ssh = (...args: string[]) =>
  spawnSync('ssh', ['-F', userConfig, '-i', key, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', ...args], {
    env: sb.env,
    encoding: 'utf8',
    timeout: 30_000,
  });

/** TCP listeners in the host's network namespace held by processes of this sandbox (its runtime folder in their environment). */
function sandboxListeners(): string[] {
  const ours = (pid: number) => {
    try {
      return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`XDG_RUNTIME_DIR=${sb.env.XDG_RUNTIME_DIR}`);
    } catch {
      return false;
    }
  };
  const lines = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return lines.filter((l) => [...l.matchAll(/pid=(\d+)/g)].some((m) => ours(Number(m[1]))));
}
const listeningPorts = () =>
  new Set(
    execFileSync('ss', ['-ltnH'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[3])
      .filter(Boolean),
  );

beforeAll(() => {
  sb = createSandbox('ssh');
  ok(sb.burrow(['create', 'box', '--rootfs', sb.rootfs('debian12-ssh', 'box')]));
  ok(sb.burrow(['create', 'plain', '--rootfs', sb.rootfs('debian12', 'plain'), '--network', 'isolated']));
  key = path.join(sb.root, 'id_test');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'burrow test', '-f', key]);
  userConfig = path.join(sb.root, 'user_ssh_config');
});
afterAll(() => sb.cleanup());

describe('burrow ssh-config', () => {
  it('writes a block per machine and prints the one line for ~/.ssh/config', () => {
    const printed = ok(sb.burrow(['ssh-config']));
    const file = path.join(sb.env.XDG_CONFIG_HOME!, 'burrow', 'ssh', 'config');
    expect(printed).toContain(`  Include ${file}\n`);
    fs.writeFileSync(userConfig, `Include ${file}\n`);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^Host box\.burrow\n {2}User root\n {2}ProxyCommand .*ssh-proxy box\n/m);
    expect(text).toContain('Host plain.burrow\n');
    expect(text).toContain('  StrictHostKeyChecking accept-new\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps it current as machines come and go', () => {
    const file = path.join(sb.env.XDG_CONFIG_HOME!, 'burrow', 'ssh', 'config');
    ok(sb.burrow(['create', 'later', '--rootfs', path.join(sb.root, 'images', 'plain'), '--network', 'isolated']));
    expect(fs.readFileSync(file, 'utf8')).toContain('Host later.burrow\n');
    ok(sb.burrow(['rm', 'later']));
    expect(fs.readFileSync(file, 'utf8')).not.toContain('later.burrow');
  });
});

describe('a machine with openssh-server', () => {
  beforeAll(() => {
    ok(sb.burrow(['start', 'box']));
    // The image's /etc/hostname is its build host's: a file of its own tells this machine apart.
    ok(inside('box', 'sh', '-c', 'echo box-was-reached > /etc/burrow-test-marker'));
  });
  afterAll(() => sb.burrow(['stop', 'box']));

  it('gets your key where sshd reads it, with its owner and modes, and burrow ssh runs a command', () => {
    const r = sb.burrow(['ssh', 'box', '--install-key', '--key', `${key}.pub`, '--', 'echo', 'hello: $(cat /etc/burrow-test-marker)']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`installed ${key}.pub for root in box`);
    expect(r.stdout).toContain('hello: box-was-reached\n');
    expect(ok(inside('box', 'stat', '-c', '%U %G %a', '/root/.ssh', '/root/.ssh/authorized_keys'))).toBe('root root 700\nroot root 600\n');
    const installed = ok(inside('box', 'cat', '/root/.ssh/authorized_keys'));
    expect(installed).toBe(fs.readFileSync(`${key}.pub`, 'utf8'));
    // A second install adds nothing.
    ok(sb.burrow(['ssh', 'box', '--install-key', '--key', `${key}.pub`, '--', 'true']));
    expect(ok(inside('box', 'cat', '/root/.ssh/authorized_keys'))).toBe(installed);
  });

  it('answers plain ssh NAME.burrow through the generated configuration, with no listening port on the host', async () => {
    const before = listeningPorts();
    expect(sandboxListeners()).toEqual([]);
    const session = spawn('ssh', ['-F', userConfig, '-i', key, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', 'box.burrow', 'echo connected; sleep 4'], {
      env: sb.env,
    });
    let said = '';
    session.stdout.on('data', (d: Buffer) => (said += d.toString()));
    try {
      await waitFor(() => said.includes('connected'), 15_000, 'the ssh session');
      // While the session runs: nothing of this Burrow listens on the host, and no new port appeared for it.
      expect(sandboxListeners()).toEqual([]);
      const added = [...listeningPorts()].filter((p) => !before.has(p));
      for (const port of added) expect(sandboxListeners().join('\n')).not.toContain(port);
    } finally {
      session.kill();
    }
    const r = ssh('box.burrow', 'cat', '/etc/burrow-test-marker');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('box-was-reached\n');
  });

  it("pins the host key in a known_hosts file of the machine's own, and refuses a key that changes", () => {
    const profile = path.join(sb.env.XDG_CONFIG_HOME!, 'burrow', 'machines', 'box.json');
    const id = JSON.parse(fs.readFileSync(profile, 'utf8')).machineId as string;
    const known = path.join(sb.env.XDG_DATA_HOME!, 'burrow', 'ssh', 'known_hosts', id);
    // Found under the alias (Debian's ssh hashes the names it writes).
    expect(spawnSync('ssh-keygen', ['-F', 'box.burrow', '-f', known], { encoding: 'utf8' }).stdout).toContain('ssh-ed25519');
    ok(inside('box', 'sh', '-c', 'rm -f /etc/ssh/ssh_host_* && ssh-keygen -q -A && systemctl restart ssh'));
    const r = ssh('box.burrow', 'true');
    expect(r.status).toBe(255);
    expect(r.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    fs.rmSync(known);
    expect(ssh('box.burrow', 'true').status).toBe(0);
  });

  it('installs a key for another user as that user, and logs in as them', () => {
    ok(inside('box', 'useradd', '-m', '-s', '/bin/bash', 'dev'));
    const r = sb.burrow(['ssh', 'box', '--user', 'dev', '--install-key', '--key', `${key}.pub`, '--', 'id', '-un']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('dev\n');
    expect(ok(inside('box', 'stat', '-c', '%U %G %a', '/home/dev/.ssh', '/home/dev/.ssh/authorized_keys'))).toBe('dev dev 700\ndev dev 600\n');
  });

  it("does not follow a link a guest user planted to lead root's write elsewhere", () => {
    ok(inside('box', 'useradd', '-m', 'mallory'));
    ok(
      inside(
        'box',
        'setpriv',
        '--reuid=mallory',
        '--regid=mallory',
        '--init-groups',
        '--',
        'sh',
        '-c',
        'mkdir -p /home/mallory/.ssh && ln -s /etc/shadow /home/mallory/.ssh/authorized_keys',
      ),
    );
    const shadow = ok(inside('box', 'cat', '/etc/shadow'));
    const r = sb.burrow(['ssh', 'box', '--user', 'mallory', '--install-key', '--key', `${key}.pub`, '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('~/.ssh/authorized_keys is a link: not followed');
    expect(ok(inside('box', 'cat', '/etc/shadow'))).toBe(shadow);
  });

  it('refuses clearly when the ssh server is not running, with the fix', () => {
    ok(inside('box', 'systemctl', 'stop', 'ssh.socket', 'ssh.service'));
    try {
      const r = sb.burrow(['ssh', 'box', '--', 'true']);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('the ssh server of machine "box" does not listen on port 22');
      expect(r.stderr).toContain('fix: start it: burrow shell box -- systemctl start ssh');
    } finally {
      ok(inside('box', 'systemctl', 'start', 'ssh'));
    }
  });

  it('refuses a key file that is not one public key, saying why', () => {
    const bad = (name: string, content: string) => {
      const file = path.join(sb.root, name);
      fs.writeFileSync(file, content);
      return sb.burrow(['ssh', 'box', '--install-key', '--key', file, '--', 'true']);
    };
    expect(bad('private', fs.readFileSync(key, 'utf8')).stderr).toContain('is a private key');
    for (const [name, content] of [
      ['escape', `ssh-ed25519 AAAA \x1b]0;owned\x07\n`],
      ['two-keys', `${fs.readFileSync(`${key}.pub`, 'utf8')}${fs.readFileSync(`${key}.pub`, 'utf8')}`],
      ['options', `command="rm -rf /" ${fs.readFileSync(`${key}.pub`, 'utf8')}`],
    ]) {
      const r = bad(name!, content!);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('does not hold one OpenSSH public key on one line');
      expect(r.stderr).not.toContain('\x1b');
    }
    expect(bad('huge', 'ssh-ed25519 ' + 'A'.repeat(100_000)).stderr).toContain('larger than 16 KiB');
  });
});

describe('refusals', () => {
  it('a machine without sshd: burrow ssh and ssh NAME.burrow both say how to get one', () => {
    ok(sb.burrow(['start', 'plain']));
    try {
      const r = sb.burrow(['ssh', 'plain', '--', 'true']);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('machine "plain" has no ssh server');
      expect(r.stderr).toContain('apt install openssh-server');
      const viaConfig = ssh('plain.burrow', 'true');
      expect(viaConfig.status).toBe(255);
      expect(viaConfig.stderr).toContain('machine "plain" has no ssh server');
    } finally {
      ok(sb.burrow(['stop', 'plain']));
    }
  });

  it('a machine that is not running', () => {
    const r = sb.burrow(['ssh', 'box', '--', 'true']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('machine "box" is not running');
  });

  it('host names with shell syntax match no block: nothing runs on the host', () => {
    const marker = path.join(sb.root, 'pwned');
    for (const host of [`a$(touch\${IFS}${marker}).burrow`, `x;touch ${marker};.burrow`, `\`touch ${marker}\`.burrow`]) {
      expect(ssh(host, 'true').status).not.toBe(0);
    }
    expect(fs.existsSync(marker)).toBe(false);
  });
});

describe('host keys after a reset', () => {
  it("are forgotten, so the image's keys are taken again rather than refused", () => {
    ok(sb.burrow(['image', 'import', 'sshimg', imageTar('debian12-ssh')], { timeoutMs: 300_000 }));
    ok(sb.burrow(['create', 'imgbox', '--image', 'sshimg']));
    ok(sb.burrow(['start', 'imgbox']));
    // Keys made after the image (as installing openssh-server inside would): they live in the overlay.
    ok(inside('imgbox', 'sh', '-c', 'rm -f /etc/ssh/ssh_host_* && ssh-keygen -q -A && systemctl restart ssh'));
    ok(sb.burrow(['ssh', 'imgbox', '--install-key', '--key', `${key}.pub`, '--', 'true']));
    expect(ssh('imgbox.burrow', 'true').status).toBe(0);
    ok(sb.burrow(['stop', 'imgbox']));
    ok(sb.burrow(['reset', 'imgbox']));
    ok(sb.burrow(['start', 'imgbox']));
    try {
      ok(sb.burrow(['ssh', 'imgbox', '--install-key', '--key', `${key}.pub`, '--', 'true']));
      const r = ssh('imgbox.burrow', 'true');
      expect(r.status, r.stderr).toBe(0);
    } finally {
      ok(sb.burrow(['stop', 'imgbox']));
    }
  });
});
