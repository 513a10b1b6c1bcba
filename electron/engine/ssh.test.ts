// The parts of ssh.ts that read what the host and the user give: the machine's socket tables and key files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultProfile } from '../contract/profile';
import { readPublicKey, sshdAddress, sshUserOf } from './ssh';

const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const tcp = (local: string, st = '0A') => `${header}   0: ${local} 00000000:0000 ${st} 00000000:00000000 00:00000000 00000000     0        0 1 1\n`;

describe('where sshd listens inside', () => {
  it('finds port 22 on every IPv4 address or loopback, else on IPv6', () => {
    expect(sshdAddress(tcp('00000000:0016'), '')).toBe('127.0.0.1');
    expect(sshdAddress(tcp('0100007F:0016'), '')).toBe('127.0.0.1');
    expect(sshdAddress('', tcp('00000000000000000000000000000000:0016'))).toBe('::1');
    expect(sshdAddress('', tcp('00000000000000000000000001000000:0016'))).toBe('::1');
  });

  it('ignores other ports, connections that are not listening, other addresses and garbage', () => {
    expect(sshdAddress(tcp('00000000:0050'), '')).toBeUndefined();
    expect(sshdAddress(tcp('00000000:0016', '01'), '')).toBeUndefined();
    expect(sshdAddress(tcp('0500000A:0016'), '')).toBeUndefined();
    expect(sshdAddress('\x1b[2J garbage :0016 0A\n'.repeat(1000), '')).toBeUndefined();
  });
});

describe('the public key to install', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-key-'));
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3Lq3wzw0dJx1b3Ha+ALhW5VhkJx2J0Y9a7bQeG1O3P alice@laptop';
  const file = (name: string, content: string) => {
    const f = path.join(home, name);
    fs.writeFileSync(f, content);
    return f;
  };

  it('takes the first of ~/.ssh/id_*.pub, or the file given', () => {
    expect(() => readPublicKey(undefined, home)).toThrow(`no public key in ${home}/.ssh`);
    fs.mkdirSync(path.join(home, '.ssh'));
    fs.writeFileSync(path.join(home, '.ssh', 'id_rsa.pub'), 'ssh-rsa AAAAB3NzaC1yc2E= old\n');
    fs.writeFileSync(path.join(home, '.ssh', 'id_ed25519.pub'), `${key}\n`);
    expect(readPublicKey(undefined, home)).toEqual({ file: path.join(home, '.ssh', 'id_ed25519.pub'), key });
    expect(readPublicKey(file('given.pub', `\n${key}\n\n`), home).key).toBe(key);
  });

  it.each([
    ['a private key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n', 'is a private key'],
    ['two keys', `${key}\n${key}\n`, 'does not hold one OpenSSH public key'],
    ['options before the key', `command="sh" ${key}`, 'does not hold one OpenSSH public key'],
    ['an escape in the comment', `${key}\x1b]0;x\x07`, 'does not hold one OpenSSH public key'],
    ['an unknown type', 'ssh-foo AAAA x', 'does not hold one OpenSSH public key'],
    ['garbage', '\x00\x01\x02', 'does not hold one OpenSSH public key'],
    ['a huge file', `ssh-ed25519 ${'A'.repeat(20_000)}`, 'larger than 16 KiB'],
  ])('refuses %s', (_what, content, why) => {
    expect(() => readPublicKey(file('bad.pub', content), home)).toThrow(why);
  });

  it('refuses a folder', () => {
    expect(() => readPublicKey(home, home)).toThrow('is not a public key file');
  });
});

describe('the user ssh logs in as', () => {
  const base = defaultProfile({ name: 'web', rootfs: '/images/web', machineId: 'a'.repeat(32) });
  it("is the machine's share user where it has one, else root", () => {
    expect(sshUserOf(base)).toBe('root');
    expect(sshUserOf({ ...base, shareUser: { name: 'alice', uid: 1000, gid: 1000 } })).toBe('alice');
    expect(sshUserOf({ ...base, shareUser: { uid: 1000 } })).toBe('root');
    expect(sshUserOf({ ...base, shareUser: { name: 'x -oProxyCommand=sh' } })).toBe('root');
  });
});
