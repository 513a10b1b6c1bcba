// The ssh configuration Burrow keeps, as text: one literal block per machine, quoting that survives ssh's
// parser and the shell it runs the proxy command with, and refusals where it would not.
import { describe, expect, it } from 'vitest';
import { sshArgs, sshConfigText, sshOptions, type SshContext } from './ssh-config';

const ctx = (patch: Partial<SshContext> = {}): SshContext => ({
  proxy: ['/usr/bin/node', '/opt/burrow/dist/cli.js', 'ssh-proxy'],
  env: { XDG_CONFIG_HOME: '/home/alice/.config', XDG_DATA_HOME: '/home/alice/.local/share' },
  knownHostsDir: '/home/alice/.local/share/burrow/ssh/known_hosts',
  ...patch,
});
const web = { name: 'web', machineId: '0123456789abcdef0123456789abcdef', user: 'root' };

describe('the configuration file', () => {
  it('has a header with the Include line and one block per machine, sorted', () => {
    const text = sshConfigText([{ ...web, name: 'zeta' }, web], ctx(), '/home/alice/.config/burrow/ssh/config');
    expect(text).toContain('#   Include /home/alice/.config/burrow/ssh/config\n');
    expect(text.indexOf('Host web.burrow')).toBeLessThan(text.indexOf('Host zeta.burrow'));
    expect(text).toContain(
      [
        'Host web.burrow',
        '  User root',
        '  ProxyCommand env XDG_CONFIG_HOME=/home/alice/.config XDG_DATA_HOME=/home/alice/.local/share /usr/bin/node /opt/burrow/dist/cli.js ssh-proxy web',
        '  HostKeyAlias web.burrow',
        '  UserKnownHostsFile /home/alice/.local/share/burrow/ssh/known_hosts/0123456789abcdef0123456789abcdef',
        '  StrictHostKeyChecking accept-new',
        '',
      ].join('\n'),
    );
  });

  it('names each machine literally: no %n or %h, and no wildcard block a hostile host name could match', () => {
    const text = sshConfigText([web], ctx(), '/c');
    expect(text).not.toMatch(/%[nhHpr]/);
    expect(text).not.toMatch(/^Host .*[*?!]/m);
  });

  it('quotes paths for the shell the proxy runs in, and doubles % (ssh expands %-tokens there)', () => {
    const odd = ctx({ proxy: ["/home/a b/it's 100%/node", '/x/cli.js', 'ssh-proxy'], env: { XDG_CONFIG_HOME: '/home/a b/$(touch x)' } });
    const proxy = sshOptions(web, odd).find(([k]) => k === 'ProxyCommand')![1];
    expect(proxy).toBe("env 'XDG_CONFIG_HOME=/home/a b/$(touch x)' '/home/a b/it'\\''s 100%%/node' /x/cli.js ssh-proxy web");
  });

  it('double-quotes a known_hosts path with spaces and escapes its %', () => {
    const known = sshOptions(web, ctx({ knownHostsDir: '/home/a b/100%' })).find(([k]) => k === 'UserKnownHostsFile')![1];
    expect(known).toBe('"/home/a b/100%%/0123456789abcdef0123456789abcdef"');
  });

  it.each([
    ['a newline in a folder', ctx({ env: { XDG_CONFIG_HOME: '/home/a\nHost *\n  ProxyCommand sh' } }), 'holds a control character'],
    ['an escape sequence in the runtime path', ctx({ proxy: ['/opt/\x1b]0;x\x07/node', 'cli.js', 'ssh-proxy'] }), 'holds a control character'],
    ['a double quote in the known_hosts folder', ctx({ knownHostsDir: '/home/a"b' }), 'a double quote or a backslash'],
    ['a backslash in the known_hosts folder', ctx({ knownHostsDir: '/home/a\\b' }), 'a double quote or a backslash'],
  ])('refuses %s rather than write a line ssh would read otherwise', (_what, c, why) => {
    expect(() => sshConfigText([web], c, '/c')).toThrow(why);
  });

  it.each([
    ['a name with shell syntax', { ...web, name: 'a$(id)' }, 'is not a machine name'],
    ['a name with a newline', { ...web, name: 'web\nHost *' }, 'is not a machine name'],
    ['a wildcard', { ...web, name: '*' }, 'is not a machine name'],
    ['a bad machine id', { ...web, machineId: '../../etc/passwd' }, 'has no valid machine id'],
    ['a user with a space', { ...web, user: 'root -oProxyCommand=x' }, 'is not a user name'],
  ])('refuses %s', (_what, m, why) => {
    expect(() => sshConfigText([m], ctx(), '/c')).toThrow(why);
  });
});

describe("burrow ssh's arguments", () => {
  it('passes the same options with -o, then the alias, then the command after --', () => {
    const args = sshArgs(web, ctx(), ['-i', '/k'], ['uname', '-a']);
    expect(args.slice(0, 2)).toEqual(['-o', 'User=root']);
    expect(args).toContain('StrictHostKeyChecking=accept-new');
    expect(args.slice(-6)).toEqual(['-i', '/k', 'web.burrow', '--', 'uname', '-a']);
    expect(sshArgs(web, ctx(), [], []).at(-1)).toBe('web.burrow');
  });
});
