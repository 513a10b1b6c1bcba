// A start claim: a file made exclusively that names the process holding it, so that a second starter (or
// a clone, snapshot or restore of the same machine, or a second holder of a user network) is refused while
// that process lives, and takes over the claim of one that died.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BurrowError } from './errors';
import { processStartTime } from './runtime-state';

/**
 * A start claim: `NAME.starting` created exclusively in the runtime root, holding our pid (and what we do,
 * for the message another process gets). A second starter, or a clone, snapshot or restore of the same
 * machine, is refused while we live; a claim whose owner died is taken over.
 */
export function claimStart(root: string, name: string, doing = 'started'): { dispose(): void } {
  const file = path.join(root, `${name}.starting`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid} ${processStartTime(process.pid)} ${doing}`, { flag: 'wx', mode: 0o600 });
      return { dispose: () => fs.rmSync(file, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const [pidText, startText, what] = fs.readFileSync(file, 'utf8').split(' ');
      const [pid, start] = [Number(pidText), Number(startText)];
      const activity = /^[a-z]{1,20}$/.test(what ?? '') ? what : 'started';
      if (pid && processStartTime(pid) === start) {
        const busy = `machine "${name}" is being ${activity} by another process (pid ${pid})`;
        throw new BurrowError('already-running', busy, 'wait for it to finish, then try again');
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new BurrowError('already-running', `machine "${name}" is busy in another process`, 'try again in a moment');
}
