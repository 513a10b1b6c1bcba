import { describe, expect, it } from 'vitest';
import { journalArgs, parseJournal, parseLogins } from './machine-queries';

describe('who can log in on the console', () => {
  const passwd = [
    'root:x:0:0:root:/root:/bin/bash',
    'daemon:x:1:1::/usr/sbin:/usr/sbin/nologin',
    'ann:x:1000:1000::/home/ann:/bin/bash',
    'guest:x:1001:1001::/home/guest:/bin/sh',
    'svc:x:1002:1002::/:/bin/false',
  ].join('\n');

  it('is nobody in a fresh image: root locked (*), services without a shell', () => {
    expect(parseLogins('root:*:20786:0:99999:7:::\ndaemon:*:20786:0:99999:7:::\n', passwd)).toEqual({ withPassword: [], withoutPassword: [] });
    expect(parseLogins('root:!$y$j9T$abc:20786::::::\n', passwd)).toEqual({ withPassword: [], withoutPassword: [] });
  });

  it('names the accounts with a password, or with none at all, and never returns a hash', () => {
    const shadow = 'root:$y$j9T$salt$hash:20786::::::\nann:$6$x$y:1::::::\nguest::1::::::\nsvc:$6$a$b:1::::::\n';
    const info = parseLogins(shadow, passwd);
    expect(info).toEqual({ withPassword: ['root', 'ann'], withoutPassword: ['guest'] });
    expect(JSON.stringify(info)).not.toContain('$');
  });

  it('ignores what is not an account line, whatever the guest wrote', () => {
    const hostile = [
      '',
      ':::::',
      '\x1b[2J:$6$x:1',
      `${'a'.repeat(5000)}:$6$x:1`,
      'nopasswdentry:$6$x:1',
      ...Array.from({ length: 100 }, (_, i) => `u${i}:$6$x:1`),
    ].join('\n');
    const many = passwd + '\n' + Array.from({ length: 100 }, (_, i) => `u${i}:x:1:1::/:/bin/sh`).join('\n');
    const info = parseLogins(hostile, many);
    expect(info.withPassword.length).toBe(20);
    expect(info.withPassword.every((u) => /^u\d+$/.test(u))).toBe(true);
  });
});

describe('journal entries', () => {
  it('are read from journalctl --output=json, a non-UTF-8 message included', () => {
    const line = JSON.stringify({
      __REALTIME_TIMESTAMP: '1764400000000000',
      PRIORITY: '3',
      _SYSTEMD_UNIT: 'apache2.service',
      SYSLOG_IDENTIFIER: 'apache2',
      MESSAGE: [104, 105],
      __CURSOR: 's=1',
    });
    expect(parseJournal(`${line}\n{"partial`)).toEqual([
      { time: 1764400000000, priority: 3, unit: 'apache2.service', identifier: 'apache2', message: 'hi', cursor: 's=1' },
    ]);
  });

  it('bound what a hostile guest writes: odd types, huge messages', () => {
    const lines = [
      JSON.stringify({ MESSAGE: 'x'.repeat(100_000), PRIORITY: 'not a number', __REALTIME_TIMESTAMP: 'soon', _SYSTEMD_UNIT: { evil: true }, __CURSOR: 7 }),
      'null',
      '42',
      JSON.stringify({ MESSAGE: ['a', 104, null] }),
    ].join('\n');
    const entries = parseJournal(lines);
    expect(entries.length).toBe(2);
    expect(entries[0]).toMatchObject({ time: 0, priority: 6, unit: undefined });
    expect(entries[0]!.message.length).toBe(16 * 1024);
    expect(typeof entries[0]!.cursor).toBe('string');
    expect(entries[1]!.message).toBe('h');
  });

  it('asks journalctl for the filters the window set', () => {
    expect(journalArgs({ lines: 200, unit: 'apache2.service', priority: 4, grep: 'error' })).toEqual([
      '--no-pager',
      '--output=json',
      '--lines',
      '200',
      '--unit',
      'apache2.service',
      '--priority',
      '4',
      '--grep',
      'error',
      '--case-sensitive=false',
    ]);
  });
});
