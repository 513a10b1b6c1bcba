// The shares of a launch plan: each host folder bound where the profile says, writable or read-only. Their
// owners need nothing here: the machine's id map makes you its share user (idmap.ts), so your files show
// as that user's and what it writes is yours. What the folders are on the host is checked by checkShares.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Share } from '../contract/share';
import { BurrowError } from './errors';
import type { PlannedMount } from './launch-plan-types';

export function planShares(shares: Share[] = []): PlannedMount[] {
  return shares.map((s) => ({
    type: s.readOnly ? 'ro-bind' : 'bind',
    source: s.source,
    dest: s.dest,
    origin: 'share',
    note: s.readOnly ? 'shared read-only' : 'shared',
  }));
}

/** Whether other users of this computer can walk down to `dir`: every folder from / to it lets them through. */
export function reachableByOthers(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      if ((fs.statSync(d).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (d === path.dirname(d)) return true;
  }
}

/**
 * Each shared folder must exist, be a folder, and be named by its real path. A link on the way is refused:
 * the machine may write in a folder it shares, so a link there is the guest's to point elsewhere, and at the
 * next start the share would be another host folder (bwrap follows links in a source). One that another
 * host user owns shows inside as `nobody`'s, and a writable one other users can walk down to lets a program
 * the machine marks setuid there run as you for them: both said as warnings, since you chose them.
 */
export function checkShares(shares: Share[] = [], uid: number): string[] {
  const warnings: string[] = [];
  for (const s of shares) {
    let st: fs.Stats;
    let real: string;
    try {
      st = fs.statSync(s.source);
      real = fs.realpathSync(s.source);
    } catch {
      throw new BurrowError(
        'invalid-input',
        `shared folder ${s.source} does not exist`,
        `create it (mkdir -p ${s.source}), or remove the share with: burrow edit NAME --no-shares`,
      );
    }
    if (!st.isDirectory())
      throw new BurrowError('invalid-input', `shared folder ${s.source} is not a folder`, 'share the folder that holds it, or bind the file with --ro-bind');
    if (real !== path.resolve(s.source))
      throw new BurrowError(
        'invalid-input',
        `shared folder ${s.source} is reached through a link (it is ${real}): a machine that can write on the way could point it elsewhere`,
        `check that ${real} is the folder you meant, then share it by that path: burrow edit NAME --share ${real}:${s.dest}${s.readOnly ? ':ro' : ''}`,
      );
    if (st.uid !== uid)
      warnings.push(`shared folder ${s.source} belongs to host uid ${st.uid}, not you: inside it shows as nobody's, and your user there cannot write to it.`);
    else if (!s.readOnly && reachableByOthers(s.source))
      warnings.push(
        `other users of this computer can reach the shared folder ${s.source}: a program the machine marks setuid there would run as you ` +
          `for them. Keep writable shares in a folder only you can enter (e.g. chmod 700 ~), or share it read-only (:ro).`,
      );
  }
  return warnings;
}
