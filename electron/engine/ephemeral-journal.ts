// An ephemeral machine's changes are discarded when it stops; its journal is kept first, in its runtime
// folder until its next start, so that its last boot can still be read (journal-at-rest.ts).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeMappedTree, sandboxedArgv } from './mapped-exec';
import { machineRuntimeDir } from './paths';

/** Where an ephemeral machine's journal is kept between its stop and its next start. */
export const keptJournalDir = (machine: string): string => path.join(machineRuntimeDir(machine), 'journal');

/**
 * Copies /var/log/journal out of the machine's changes (`upper`), owners kept, in a sandbox where only the
 * kept folder is writable and the changes are read-only: a link the guest planted under /var resolves
 * inside the sandbox, never on the host. Best effort (false when there was none, or the copy failed).
 */
export function keepEphemeralJournal(machine: string, upper: string): boolean {
  const kept = keptJournalDir(machine);
  forgetKeptJournal(machine);
  try {
    if (!fs.statSync(path.join(upper, 'var/log/journal')).isDirectory()) return false;
  } catch {
    return false;
  }
  fs.mkdirSync(kept, { mode: 0o700 });
  let argv: string[];
  try {
    argv = sandboxedArgv(kept, ['cp', '-a', '--', '/changes/var/log/journal/.', '/target/'], undefined, [{ source: upper, dest: '/changes' }]);
  } catch {
    return false; // no subordinate-id mapping: the guest's journal files cannot be read as its root
  }
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore', timeout: 30_000, env: { PATH: process.env.PATH, LC_ALL: 'C' } });
  return r.status === 0;
}

/** A new boot writes a new journal: the kept copy of the last one goes (it holds files of the guest's ids). */
export function forgetKeptJournal(machine: string): void {
  removeMappedTree(keptJournalDir(machine));
}
