// What the window says when it closes while machines run: once per user, that they keep running (they
// belong to their supervisors, not to the window). Kept apart from main.ts so it can be tested.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface QuitNoticeDeps {
  /** Names of machines that are starting, running or degraded. */
  liveMachines(): string[];
  showMessage(message: string, detail: string): void;
  configDir: string;
}

export const QUIT_NOTICE_MARKER = '.told-machines-keep-running';

/** Returns whether it spoke. */
export function sayMachinesKeepRunning(deps: QuitNoticeDeps): boolean {
  const running = deps.liveMachines();
  const marker = path.join(deps.configDir, QUIT_NOTICE_MARKER);
  if (!running.length || fs.existsSync(marker)) return false;
  const many = running.length > 1;
  const [keep, belong, owner, them] = many ? ['s keep', 'belong', 'their supervisors', 'them'] : [' keeps', 'belongs', 'its supervisor', 'it'];
  deps.showMessage(
    `${running.length} machine${keep} running`,
    `${running.join(', ')} ${belong} to ${owner}, not to this window. ` +
      `Open Burrow again to see ${them} with the console history, or stop with: burrow stop NAME`,
  );
  fs.mkdirSync(deps.configDir, { recursive: true });
  fs.writeFileSync(marker, '');
  return true;
}
