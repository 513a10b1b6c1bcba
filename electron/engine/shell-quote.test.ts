import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellFold, shellJoin, shellQuote } from './shell-quote';

describe('shell quoting', () => {
  it('round-trips awkward arguments through a real shell', () => {
    const args = ['plain', 'with space', "it's", '$HOME', 'a\\b', '', 'semi;colon', 'app-gnome\\x2dterminal.scope'];
    const out = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${shellJoin(args)}`], { encoding: 'utf8' });
    expect(out.split('\n').slice(0, -1)).toEqual(args);
  });

  it('leaves safe words alone and folds bwrap options onto their own lines', () => {
    expect(shellQuote('/usr/bin/bwrap')).toBe('/usr/bin/bwrap');
    const folded = shellFold(['unshare', '--user', '--', '/usr/bin/bwrap', '--bind', '/a b', '/', '--as-pid-1', '--', '/sbin/init']);
    expect(folded).toBe("unshare --user -- /usr/bin/bwrap \\\n  --bind '/a b' / \\\n  --as-pid-1 \\\n  -- /sbin/init");
    expect(shellFold(['/usr/bin/bwrap', '--size', '1024', '--perms', '1777', '--tmpfs', '/tmp', '--proc', '/proc'])).toBe(
      '/usr/bin/bwrap \\\n  --size 1024 --perms 1777 --tmpfs /tmp \\\n  --proc /proc',
    );
    const out = execFileSync('/bin/sh', ['-c', `printf '%s|' ${shellFold(['x', '/usr/bin/bwrap', '--a', 'b c', '--d'])}`], { encoding: 'utf8' });
    expect(out).toBe('x|/usr/bin/bwrap|--a|b c|--d|');
  });
});
