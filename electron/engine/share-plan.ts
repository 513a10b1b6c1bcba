// The shares of a launch plan: each host folder bound where the profile says, writable or read-only. Their
// owners need nothing here: the machine's id map makes you its share user (idmap.ts), so your files show
// as that user's and what it writes is yours. What the folders are on the host is checked by checkShares.
import * as fs from 'node:fs';
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

/**
 * Each shared folder must exist and be a folder (bwrap would fail the start with less to say). One that
 * another host user owns shows inside as `nobody`'s: said as a warning, since you chose it.
 */
export function checkShares(shares: Share[] = [], uid: number): string[] {
  const warnings: string[] = [];
  for (const s of shares) {
    let st: fs.Stats;
    try {
      st = fs.statSync(s.source);
    } catch {
      throw new BurrowError(
        'invalid-input',
        `shared folder ${s.source} does not exist`,
        `create it (mkdir -p ${s.source}), or remove the share with: burrow edit NAME --no-shares`,
      );
    }
    if (!st.isDirectory())
      throw new BurrowError('invalid-input', `shared folder ${s.source} is not a folder`, 'share the folder that holds it, or bind the file with --ro-bind');
    if (st.uid !== uid)
      warnings.push(`shared folder ${s.source} belongs to host uid ${st.uid}, not you: inside it shows as nobody's, and your user there cannot write to it.`);
  }
  return warnings;
}
