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
  deps.showMessage(
    `${running.length} machine${running.length > 1 ? 's keep' : ' keeps'} running`,
    `${running.join(', ')} belong${running.length > 1 ? '' : 's'} to ${running.length > 1 ? 'their supervisors' : 'its supervisor'}, not to this window. Open Burrow again to see ${running.length > 1 ? 'them' : 'it'} with the console history, or stop with: burrow stop NAME`,
  );
  fs.mkdirSync(deps.configDir, { recursive: true });
  fs.writeFileSync(marker, '');
  return true;
}
