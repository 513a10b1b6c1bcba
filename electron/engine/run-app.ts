// `burrow run NAME -- APP`: an app started in the machine as your user there (its share user), with the
// display's sockets in its environment where the machine has them, on the desktop it was started from.
// It runs like `burrow shell` (nsenter from the machine's own cgroup), then becomes that user.
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import { isResolved } from '../contract/share';
import type { MachineProfile } from '../contract/profile';
import { DISPLAY_ENV_SCRIPT } from './display-plan';
import { BurrowError } from './errors';
import { execTarget, guestEnv, nsenterArgv } from './exec';
import { which } from './which';

/**
 * The step run as root inside: find the user (the machine's setup unit made it at boot), give it its
 * runtime folder, set the display's environment, and become it (setpriv, with its groups). Its arguments:
 * UID GID APP…; nothing in it comes from the host's environment.
 */
export const RUN_AS_SCRIPT = [
  'uid=$1 gid=$2; shift 2',
  'entry=$(getent passwd "$uid")',
  '[ -n "$entry" ] || { echo "burrow: the machine has no user with uid $uid (its setup unit makes it at boot: journalctl -u burrow-setup)" >&2; exit 127; }',
  'name=${entry%%:*}; home=$(printf %s "$entry" | cut -d: -f6)',
  'export HOME="${home:-/}" USER="$name" LOGNAME="$name" XDG_RUNTIME_DIR="/run/user/$uid"',
  '[ -d "$XDG_RUNTIME_DIR" ] || install -d -m 0700 -o "$uid" -g "$gid" "$XDG_RUNTIME_DIR"',
  DISPLAY_ENV_SCRIPT,
  'cd "$HOME" 2>/dev/null || cd /',
  'command -v setpriv >/dev/null || { echo "burrow: the machine has no setpriv (util-linux), which burrow run needs" >&2; exit 127; }',
  'exec setpriv --reuid "$uid" --regid "$gid" --init-groups -- "$@"',
].join('\n');

/** Runs APP in the machine as its share user with the caller's terminal; resolves with its exit status. */
export function runApp(profile: MachineProfile, command: string[]): Promise<number> {
  const user = profile.shareUser;
  if (!isResolved(user))
    throw new BurrowError(
      'invalid-input',
      `machine "${profile.name}" has no user of yours inside (it was made before shared folders: root there is you)`,
      `run it as root with: burrow shell ${profile.name} -- ${command.join(' ')}`,
    );
  if (!command.length) throw new BurrowError('invalid-input', 'burrow run needs the app to start', `e.g. burrow run ${profile.name} -- gnome-text-editor`);
  const target = execTarget(profile);
  const nsenter = which('nsenter');
  if (!nsenter) throw new BurrowError('host-not-ready', 'nsenter is not installed', 'install util-linux');
  const argv = nsenterArgv(target, ['/bin/sh', '-c', RUN_AS_SCRIPT, 'burrow-run', String(user.uid), String(user.gid), ...command], nsenter);
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env: guestEnv(process.env.TERM) });
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 1) : 1)));
    child.on('error', () => resolve(127));
  });
}
