// What the end of bwrap means for the machine: boot it again (PID 1 rebooted), or the machine's final
// state and the sentence people read in `burrow ls`, the window and the unit's journal. Pure: the
// supervisor gathers the facts, this decides. The routine endings' words are the contract's (describe.ts).
import { END_MESSAGES } from '../contract/describe';

/** Exit status of bwrap when PID 1 rebooted (SIGHUP from reboot(2) in a pid namespace). */
export const EXIT_REBOOT = 129;
/** Exit status of bwrap when PID 1 halted or powered off. */
export const EXIT_HALT = 130;
const SIGKILL = 9;

export interface ExitFacts {
  exitCode: number;
  signal?: number;
  /** Someone asked for a stop or a kill (burrow stop, the window, SIGTERM, a failed launch). */
  stopRequested: boolean;
  /** A kill in particular (burrow kill, the stop timeout, a failed launch). */
  killRequested: boolean;
  /** Why the launch failed before PID 1 ran (a port already in use): the message then says only that. */
  launchFailure?: string;
  /** READY=1 had arrived: a crash after it is PID 1's, one before it is a failed boot. */
  wasReady: boolean;
}

export type ExitVerdict = { relaunch: true; note: string } | { relaunch: false; state: 'exited' | 'crashed'; message: string; exitCode?: number };

/** Why the machine ended, for people; the first rule that applies wins. */
function endMessage(f: ExitFacts): string {
  if (f.launchFailure) return f.launchFailure;
  if (f.stopRequested) return f.signal === SIGKILL || f.killRequested ? END_MESSAGES.killed : END_MESSAGES.stopped;
  if (f.exitCode === EXIT_HALT) return END_MESSAGES.halted;
  if (f.wasReady) return `PID 1 ended unexpectedly (exit ${f.exitCode}${f.signal ? `, signal ${f.signal}` : ''})`;
  return `the machine failed to boot (exit ${f.exitCode}); the console's last lines say why`;
}

export function exitVerdict(f: ExitFacts): ExitVerdict {
  // A reboot nobody asked to stop is a new boot of the same machine; a stop during it is a stop.
  if (f.exitCode === EXIT_REBOOT && !f.stopRequested) return { relaunch: true, note: 'the machine rebooted; starting it again' };
  const clean = !f.launchFailure && (f.stopRequested || f.exitCode === EXIT_HALT || f.exitCode === 0);
  return { relaunch: false, state: clean ? 'exited' : 'crashed', message: endMessage(f), exitCode: f.launchFailure ? undefined : f.exitCode };
}
