// The hosts block, and the script that puts it into a machine's /etc/hosts, run by a real /bin/sh on files
// shaped as guests have them.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostsBlock, HOSTS_SCRIPT, HostsWriter, type RunInMachine } from './hosts-block';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function hostsFile(content?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-hosts-'));
  dirs.push(dir);
  const file = path.join(dir, 'hosts');
  if (content !== undefined) fs.writeFileSync(file, content);
  return file;
}
const apply = (file: string, block: string) => execFileSync('/bin/sh', ['-c', HOSTS_SCRIPT, 'burrow-hosts', block, file]);

describe('the hosts block', () => {
  it('lists each member by name and NAME.burrow, sorted, between markers', () => {
    expect(
      hostsBlock('lab', [
        ['web', '10.89.7.3'],
        ['db', '10.89.7.2'],
      ]),
    ).toBe(
      '# BEGIN burrow network lab: kept by Burrow while the machine runs; edits inside the block are replaced\n' +
        '10.89.7.2\tdb db.burrow\n10.89.7.3\tweb web.burrow\n# END burrow network\n',
    );
  });
});

describe('the script that writes it inside the machine', () => {
  const debian = '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n10.0.0.5 intranet # mine\n';

  it("keeps the guest's own lines and appends the block", () => {
    const file = hostsFile(debian);
    apply(file, hostsBlock('default', [['web', '10.89.1.2']]));
    expect(fs.readFileSync(file, 'utf8')).toBe(debian + hostsBlock('default', [['web', '10.89.1.2']]));
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
  });

  it('replaces the earlier block, wherever the guest moved it, and keeps lines added after it', () => {
    const file = hostsFile(debian);
    apply(
      file,
      hostsBlock('default', [
        ['web', '10.89.1.2'],
        ['db', '10.89.1.3'],
      ]),
    );
    fs.appendFileSync(file, '192.168.1.9 printer\n');
    apply(file, hostsBlock('default', [['db', '10.89.1.3']]));
    expect(fs.readFileSync(file, 'utf8')).toBe(debian + '192.168.1.9 printer\n' + hostsBlock('default', [['db', '10.89.1.3']]));
  });

  it('empties the block when no member is left, and makes the file where there is none', () => {
    const file = hostsFile();
    apply(file, hostsBlock('default', []));
    expect(fs.readFileSync(file, 'utf8')).toBe(hostsBlock('default', []));
  });

  it('keeps a last line without a newline, and lines with backslashes and leading blanks as they are', () => {
    const odd = '  10.1.1.1 spaced\\name\n-n 10.2.2.2 dash\n10.3.3.3 last';
    const file = hostsFile(odd);
    apply(file, hostsBlock('default', []));
    expect(fs.readFileSync(file, 'utf8')).toBe(odd + '\n' + hostsBlock('default', []));
  });

  it('writes through a link in place rather than replacing it', () => {
    const file = hostsFile(debian);
    const link = path.join(path.dirname(file), 'link');
    fs.symlinkSync(file, link);
    apply(link, hostsBlock('default', [['web', '10.89.1.2']]));
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toContain('web.burrow');
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['hosts', 'link']);
  });
});

describe('the writer', () => {
  it('writes the newest block only, one write at a time, and reports a failure', async () => {
    const blocks: string[] = [];
    let release: () => void = () => undefined;
    const run: RunInMachine = async (_t, command) => {
      blocks.push(command[4]!);
      await new Promise<void>((r) => (release = r));
      return { code: blocks.length === 2 ? 1 : 0, stderr: 'Read-only file system' };
    };
    const failures: string[] = [];
    const writer = new HostsWriter({ pid1: 2, single: false, cgroupDirs: [] }, 'default', run, (why) => failures.push(why));
    const first = writer.update([['a', '10.89.1.2']]);
    void writer.update([
      ['a', '10.89.1.2'],
      ['b', '10.89.1.3'],
    ]);
    void writer.update([
      ['a', '10.89.1.2'],
      ['c', '10.89.1.4'],
    ]);
    expect(blocks).toHaveLength(1);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(blocks).toHaveLength(2);
    expect(blocks[1]).toContain('c.burrow');
    expect(blocks[1]).not.toContain('b.burrow');
    release();
    await first;
    expect(failures).toEqual(['its /etc/hosts could not be updated (Read-only file system)']);
  });
});
