// A machine keeps its journal across stops only where /var/log/journal exists in its tree: journald's
// default (Storage=auto) writes there if the folder exists, and otherwise only to /run, which ends with the
// machine. Debian's images have it; many container exports do not. Where the tree lacks it, the folder is
// made once the machine is up, from inside (so that a link the guest planted resolves in the guest, never
// on the host), and journald is asked to move this boot's journal there. A guest that chose
// Storage=volatile keeps its choice: journald then leaves the folder empty.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execCapture, type ExecTarget } from '../engine/exec';
import type { LaunchPlan } from '../engine/launch-plan-types';

const MAKE_JOURNAL_DIR = [
  '/bin/sh',
  '-c',
  'mkdir -p /var/log/journal || exit 1; systemd-tmpfiles --create --prefix /var/log/journal >/dev/null 2>&1; journalctl --flush >/dev/null 2>&1; exit 0',
];

/** The folders of the machine's tree as the host sees them (its changes first, for an image-based one). */
function treeDirs(plan: Pick<LaunchPlan, 'storage' | 'mounts'>): string[] {
  const overlay = plan.storage.overlay;
  if (overlay) return [overlay.upper, overlay.lower];
  const root = plan.mounts.find((m) => m.dest === '/' && m.origin === 'rootfs')?.source;
  return root ? [root] : [];
}

/** Whether any layer of the tree has /var/log/journal (what a guest's link makes this say only decides whether to ask inside). */
export function hasJournalDir(plan: Pick<LaunchPlan, 'storage' | 'mounts'>): boolean {
  return treeDirs(plan).some((d) => {
    try {
      return fs.statSync(path.join(d, 'var/log/journal')).isDirectory();
    } catch {
      return false;
    }
  });
}

/** Makes /var/log/journal inside a running machine whose tree has none; true when it exists afterwards. */
export async function ensurePersistentJournal(plan: Pick<LaunchPlan, 'storage' | 'mounts'>, target: ExecTarget): Promise<boolean> {
  if (hasJournalDir(plan)) return true;
  const r = await execCapture(target, MAKE_JOURNAL_DIR, 10_000);
  return r.code === 0;
}
