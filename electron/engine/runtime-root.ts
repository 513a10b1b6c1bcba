// The per-user runtime folder ($XDG_RUNTIME_DIR/burrow, else /tmp/burrow-UID) is trusted only while it is
// a real folder of ours that nobody else can enter: without XDG_RUNTIME_DIR, another user could make
// /tmp/burrow-UID first and plant machine state in it (pids to signal, cgroups to kill, text for the
// terminal). It is checked with lstat (a link is refused, not followed) on every use, not just at start.
// /tmp's sticky bit keeps others from replacing a folder of ours once it is checked.
import * as fs from 'node:fs';
import { BurrowError } from './errors';
import { runtimeRoot } from './paths';

/** The parts of lstat's answer the check needs (a fake in tests). */
export type DirStat = Pick<fs.Stats, 'uid' | 'mode' | 'isDirectory' | 'isSymbolicLink'>;

/** Why `dir` cannot be trusted as the runtime folder of user `uid`, with the fix; undefined when it can. */
export function runtimeRootProblem(dir: string, st: DirStat, uid: number): BurrowError | undefined {
  const refuse = (why: string, fix: string) =>
    new BurrowError('host-not-ready', `the runtime folder ${dir} ${why}, so the machine state in it cannot be trusted`, fix);
  const elsewhere = 'or set XDG_RUNTIME_DIR to a private folder of yours (a desktop session sets /run/user/UID)';
  if (st.isSymbolicLink()) return refuse('is a symbolic link', `remove the link (rm ${dir}), ${elsewhere}`);
  if (!st.isDirectory()) return refuse('is not a folder', `remove it (rm ${dir}), ${elsewhere}`);
  if (st.uid !== uid) {
    return refuse(`belongs to uid ${st.uid}, not to you (uid ${uid}): another user may have made it`, `have it removed (sudo rm -r ${dir}), ${elsewhere}`);
  }
  const mode = st.mode & 0o777;
  if (mode !== 0o700) return refuse(`has mode ${mode.toString(8).padStart(4, '0')}, not 0700`, `chmod 700 ${dir}, after checking what is in it`);
  return undefined;
}

function lstatOrMissing(dir: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BurrowError('host-not-ready', `the runtime folder ${dir} cannot be checked: ${(e as Error).message}`, FIX_ELSEWHERE);
  }
}

const ownUid = (): number => process.getuid?.() ?? 0;
const FIX_ELSEWHERE = 'set XDG_RUNTIME_DIR to a private folder of yours';

/** The runtime folder when it exists and is private; undefined when there is none yet; throws when it is not to be trusted. */
export function existingRuntimeRoot(): string | undefined {
  const dir = runtimeRoot();
  const st = lstatOrMissing(dir);
  if (!st) return undefined;
  const problem = runtimeRootProblem(dir, st, ownUid());
  if (problem) throw problem;
  return dir;
}

/** The runtime folder, made private if missing; throws when what is there is not to be trusted. */
export function ensureRuntimeRoot(): string {
  const dir = runtimeRoot();
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new BurrowError('host-not-ready', `cannot make the runtime folder ${dir}: ${(e as Error).message}`, FIX_ELSEWHERE);
    }
  }
  const root = existingRuntimeRoot();
  if (!root) throw new BurrowError('host-not-ready', `the runtime folder ${dir} vanished as it was made`, 'try again');
  return root;
}
