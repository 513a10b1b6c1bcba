// The exit status of every error a command can end with. A Record over the contract's codes: a new
// ErrorCode does not compile until it has its status here.
import type { ErrorCode } from '../contract/errors';

export const EXIT: Record<ErrorCode, number> = {
  'invalid-input': 2,
  'not-found': 3,
  exists: 4,
  'already-running': 4,
  'not-running': 4,
  'host-not-ready': 5,
  'rootfs-invalid': 6,
  'corrupt-profile': 7,
  'start-failed': 1,
  'in-use': 4,
  'import-failed': 8,
  'no-space': 9,
  cancelled: 130,
  forbidden: 77,
  internal: 70,
};

/** What each status says, for `burrow --help` (the README's list is the same). */
export const EXIT_MEANINGS: [number, string][] = [
  [0, 'ok'],
  [1, 'a machine failed'],
  [2, 'bad usage or input'],
  [3, 'not found'],
  [4, 'wrong state (or in use)'],
  [5, 'host not ready (see burrow doctor)'],
  [6, 'unusable rootfs'],
  [7, 'corrupt profile'],
  [8, 'import failed'],
  [9, 'not enough disk space'],
  [70, 'internal error'],
  [77, 'refused'],
  [130, 'cancelled'],
];

/** The exit codes as help text, wrapped to `width` columns. */
export function exitCodeHelp(width = 100): string {
  const lines: string[] = [];
  let line = 'Exit codes:';
  for (const [code, meaning] of EXIT_MEANINGS) {
    const item = ` ${code} ${meaning},`;
    if (line.length + item.length > width) {
      lines.push(line);
      line = '           ';
    }
    line += item;
  }
  lines.push(line.replace(/,$/, '.'));
  return lines.join('\n');
}
