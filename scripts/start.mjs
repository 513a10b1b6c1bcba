// npm start: build, then open the desktop window. Where there is no Electron runtime or no display
// (a server, this build machine), open the same window through the web host instead.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
let electron;
try {
  electron = createRequire(import.meta.url)('electron');
} catch {
  electron = undefined;
}
const display = process.env.DISPLAY || process.env.WAYLAND_DISPLAY;
if (typeof electron === 'string' && existsSync(electron) && display) {
  spawn(electron, ['dist/main.js'], { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(display ? 'The Electron runtime is not installed (npx electron install fetches it); opening the browser build.' : 'No display: serving the window on 127.0.0.1 instead.');
  spawn(process.execPath, ['bin/burrow', 'serve'], { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 0));
}
