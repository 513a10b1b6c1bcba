// What a shared folder must be on the host at every create, edit and start: a real folder named by its real
// path (a link on the way is the guest's to repoint, when the machine can write there), with warnings for a
// folder another user owns and for a writable one other users can walk down to (a setuid program planted there).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkShares, reachableByOthers } from './share-plan';

let tmp: string;
const uid = process.getuid!();
beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-share-')));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('shared folders on the host', () => {
  it('refuses a share reached through a link, naming the real folder to share instead', () => {
    fs.mkdirSync(path.join(tmp, 'code/site/config'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'home'));
    // What a guest with the outer share writable does: the inner share's folder becomes a link elsewhere.
    fs.rmSync(path.join(tmp, 'code/site/config'), { recursive: true });
    fs.symlinkSync(path.join(tmp, 'home'), path.join(tmp, 'code/site/config'));
    const share = { source: path.join(tmp, 'code/site/config'), dest: '/config', readOnly: true };
    expect(() => checkShares([share], uid)).toThrow(/is reached through a link \(it is .*\/home\)/);
    try {
      checkShares([share], uid);
    } catch (e) {
      expect((e as { fix?: string }).fix).toContain(`--share ${path.join(tmp, 'home')}:/config:ro`);
    }
  });

  it('accepts a real folder, and says when other users can reach a writable one', () => {
    const dir = path.join(tmp, 'proj');
    fs.mkdirSync(dir);
    fs.chmodSync(tmp, 0o700);
    expect(checkShares([{ source: dir, dest: '/work', readOnly: false }], uid)).toEqual([]);
    expect(reachableByOthers(dir)).toBe(false);
    fs.chmodSync(tmp, 0o755);
    fs.chmodSync(dir, 0o755);
    // os.tmpdir() and / let everyone through: the folder is reachable by others.
    expect(reachableByOthers(dir)).toBe(true);
    expect(checkShares([{ source: dir, dest: '/work', readOnly: false }], uid)).toEqual([
      expect.stringMatching(/other users of this computer can reach .*setuid/),
    ]);
    expect(checkShares([{ source: dir, dest: '/work', readOnly: true }], uid)).toEqual([]);
  });

  it('refuses what is missing or not a folder', () => {
    expect(() => checkShares([{ source: path.join(tmp, 'gone'), dest: '/x', readOnly: false }], uid)).toThrow(/does not exist/);
    fs.writeFileSync(path.join(tmp, 'file'), '');
    expect(() => checkShares([{ source: path.join(tmp, 'file'), dest: '/x', readOnly: false }], uid)).toThrow(/is not a folder/);
  });
});
