// Every way out runs the "machines keep running" notice and the host's cleanup, once: the window's close
// button (window-all-closed, then app.quit()), File → Quit and Ctrl+Q (role 'quit' calls app.quit(),
// which does not emit window-all-closed), and SIGINT/SIGTERM (Electron quits the app the same way).
// will-quit is the one event all of them reach, and only when the quit was not cancelled.
import type { App } from 'electron';

export function runOnQuit(app: Pick<App, 'on' | 'quit'>, onQuit: () => void): void {
  let done = false;
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    if (done) return;
    done = true;
    onQuit();
  });
}
