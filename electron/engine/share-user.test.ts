import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultProfile, type MachineProfile } from '../contract/profile';
import { parseAccounts, resolveShareUser, settleShareUser } from './share-user';
import { hybridHost } from './test-host-facts';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nnode:x:1000:1000::/home/node:/bin/sh\n';
const GROUP = 'root:x:0:\nwww-data:x:33:\nnode:x:1000:\ndevs:x:2000:\n';
const users = parseAccounts(PASSWD, 'passwd');
const thrown = (f: () => unknown): { message: string; fix?: string } => {
  try {
    f();
  } catch (e) {
    return e as { message: string; fix?: string };
  }
  throw new Error('it did not throw');
};
const groups = parseAccounts(GROUP, 'group');

describe('the share user', () => {
  it('reads only well-formed accounts from the guest', () => {
    const hostile = 'ok:x:5:5::/:/bin/sh\nbad:x:five:5\n:x:1:1\n\u001b[2J:x:7:7::/:/bin/sh\nno-gid:x:9:\n' + 'x:x:1:1\n'.repeat(20000);
    const parsed = parseAccounts(hostile, 'passwd');
    expect(parsed[0]).toEqual({ name: 'ok', id: 5, gid: 5 });
    expect(parsed.find((a) => a.name === 'bad' || a.name === 'no-gid')).toBeUndefined();
    expect(parsed.length).toBeLessThanOrEqual(10000);
  });

  it('is uid 1000 by default: an existing user keeps its name and group, a missing one gets your login name', () => {
    expect(resolveShareUser(undefined, users, groups, 'alice')).toEqual({ name: 'node', uid: 1000, gid: 1000 });
    expect(resolveShareUser(undefined, [], [], 'alice')).toEqual({ name: 'alice', uid: 1000, gid: 1000 });
    expect(resolveShareUser(undefined, [], [], 'John.Doe')).toEqual({ name: 'john-doe', uid: 1000, gid: 1000 });
  });

  it("is the image's own user where an export brought one", () => {
    expect(resolveShareUser(undefined, users, groups, 'alice', 33)).toEqual({ name: 'www-data', uid: 33, gid: 33 });
  });

  it("is found by name or uid, and a new one by name never takes another user's uid", () => {
    expect(resolveShareUser({ name: 'www-data' }, users, groups, 'alice')).toEqual({ name: 'www-data', uid: 33, gid: 33 });
    expect(resolveShareUser({ uid: 33 }, users, groups, 'alice')).toEqual({ name: 'www-data', uid: 33, gid: 33 });
    expect(resolveShareUser({ name: 'carol' }, users, groups, 'alice')).toEqual({ name: 'carol', uid: 1001, gid: 1001 });
    expect(resolveShareUser({ uid: 1500 }, users, groups, 'alice')).toEqual({ name: 'alice', uid: 1500, gid: 1500 });
    expect(resolveShareUser({ name: 'devs' }, [], groups, 'alice')).toEqual({ name: 'devs', uid: 1000, gid: 2000 });
  });

  it('refuses a name and a uid that are two different users', () => {
    expect(() => resolveShareUser({ name: 'www-data', uid: 1000 }, users, groups, 'alice')).toThrow(/user www-data has uid 33, not 1000/);
  });
});

describe("settling a profile's share user", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  /** A rootfs folder whose files are owned by whoever runs the test. */
  function tree(passwd = PASSWD): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-share-user-'));
    dirs.push(root);
    fs.mkdirSync(path.join(root, 'etc'));
    fs.writeFileSync(path.join(root, 'etc/passwd'), passwd);
    fs.writeFileSync(path.join(root, 'etc/group'), GROUP);
    return root;
  }
  const me = process.getuid!();
  // The tree's owner as the host's first subordinate id: owned the new way (root is a subordinate id).
  const newWay = hybridHost({ uid: me + 1, subuid: { start: me, count: 65536 }, user: 'alice' });
  // The tree's owner as your own uid: owned the old way (root is you).
  const oldWay = hybridHost({ uid: me, subuid: { start: me + 100000, count: 65536 }, user: 'alice' });
  const machine = (rootfs: string, patch: Partial<MachineProfile> = {}): MachineProfile => ({
    ...defaultProfile({ name: 'dev', rootfs, machineId: 'a'.repeat(32) }),
    ...patch,
  });

  it('gives a machine of a new-way tree its share user', () => {
    expect(settleShareUser(machine(tree()), newWay).shareUser).toEqual({ name: 'node', uid: 1000, gid: 1000 });
  });

  it('leaves a machine of an old-way tree as it was, and refuses shares there with the way out', () => {
    const root = tree();
    expect(settleShareUser(machine(root), oldWay).shareUser).toBeUndefined();
    const share = machine(root, { shares: [{ source: '/srv', dest: '/srv', readOnly: false }] });
    expect(() => settleShareUser(share, oldWay)).toThrow(/--share: the files of the folder .* are owned with root as you/);
    const e = thrown(() =>
      settleShareUser(machine(root, { display: { wayland: true, x11: false, audio: false, gpu: false }, shareUser: { uid: 33 } }), oldWay),
    );
    expect(e.message).toMatch(/--share-user, --display/);
    expect(e.fix).toMatch(/burrow image import NEW .* --copy/);
  });

  it('leaves a machine whose tree is gone to the rootfs check, which says so (not that its files are old-way)', () => {
    const settled = settleShareUser(machine(tree()), newWay);
    const gone = { ...settled, rootfs: path.join(os.tmpdir(), 'burrow-no-such-tree') };
    expect(settleShareUser(gone, newWay)).toBe(gone);
  });

  it("keeps a machine's share user: another uid later is refused, a new name alone is not", () => {
    const root = tree();
    const before = settleShareUser(machine(root), newWay);
    expect(() => settleShareUser({ ...before, shareUser: { uid: 33 } }, newWay, before)).toThrow(/share user of "dev" is uid 1000 \(node\) for good/);
    expect(settleShareUser({ ...before, shareUser: { name: 'node' } }, newWay, before).shareUser).toEqual(before.shareUser);
    expect(settleShareUser({ ...before, shareUser: undefined }, newWay, before).shareUser).toEqual(before.shareUser);
  });

  it('refuses a share user and a display in a single-uid machine (root is you there), but not a share', () => {
    const root = tree();
    expect(() => settleShareUser(machine(root, { idMapping: 'single', shareUser: { uid: 1000 } }), newWay)).toThrow(/single-uid machine has only root inside/);
    const shared = machine(root, { idMapping: 'single', shares: [{ source: '/srv', dest: '/srv', readOnly: true }] });
    expect(settleShareUser(shared, newWay)).toEqual(shared);
  });

  it('does not follow an /etc/passwd that links out of the tree', () => {
    const root = tree();
    fs.mkdirSync(path.join(root, 'usr')); // owned the new way, so the accounts are read
    fs.rmSync(path.join(root, 'etc/passwd'));
    const outside = path.join(tree('evil:x:1000:1000::/:/bin/sh\n'), 'etc/passwd');
    fs.symlinkSync(outside, path.join(root, 'etc/passwd'));
    // The link is resolved inside the tree (an absolute target restarts at its root), where nothing is.
    expect(settleShareUser(machine(root), newWay).shareUser).toEqual({ name: 'alice', uid: 1000, gid: 1000 });
  });
});
