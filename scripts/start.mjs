// npm start: build, then open the desktop window. Where there is no Electron runtime or no display
// (a server, this build machine), open the same window through the web host instead.
// Electron's exit is passed on (a signal as 128+N, as shells do), and the one failure every Ubuntu 23.10+
// developer meets is named with its fix: Chromium's sandbox cannot start, because AppArmor restricts
// user namespaces and node_modules' chrome-sandbox helper is not setuid root.
// `--no-build` skips the build (for a second start, and for tests).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';

const SANDBOX_FAILURE = /setuid_sandbox_host|No usable sandbox|chrome-sandbox is owned by root|Failed to move to new namespace/;

function sandboxAdvice(electron, restricted) {
  const cause = restricted
    ? "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1), which Chromium's sandbox needs"
    : 'Chromium could not make the user namespace its sandbox needs';
  return [
    `npm start: Electron's sandbox could not start: ${cause}, and ${electron.replace(/electron$/, 'chrome-sandbox')} is not setuid root.`,
    '  fix: let this Electron make user namespaces with an AppArmor profile: node bin/burrow doctor writes it and prints the one sudo command',
    '       (the same profiles let bwrap and unshare start machines). Never --no-sandbox: the window shows what guests print.',
  ].join('\n');
}

/** What a finished Electron says to npm: its own status, or 128+N for a signal. */
const exitStatus = (code, signal) => (signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));

function electronBinary() {
  try {
    const bin = createRequire(import.meta.url)('electron');
    return typeof bin === 'string' && existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

function runElectron(electron) {
  const child = spawn(electron, ['dist/main.js'], { stdio: ['inherit', 'inherit', 'pipe'] });
  let tail = '';
  child.stderr.on('data', (chunk) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-16384);
  });
  child.on('error', (e) => {
    console.error(`npm start: could not run ${electron}: ${e.message}`);
    process.exit(1);
  });
  child.on('close', (code, signal) => {
    if (code !== 0 && SANDBOX_FAILURE.test(tail)) {
      let restricted = false;
      try {
        restricted = readFileSync('/proc/sys/kernel/apparmor_restrict_unprivileged_userns', 'utf8').trim() === '1';
      } catch {
        /* no AppArmor */
      }
      console.error(sandboxAdvice(electron, restricted));
    } else if (signal) console.error(`npm start: Electron was killed by ${signal}`);
    process.exit(exitStatus(code, signal));
  });
}

if (!process.argv.includes('--no-build')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
const electron = electronBinary();
const display = process.env.DISPLAY || process.env.WAYLAND_DISPLAY;
if (electron && display) {
  runElectron(electron);
} else {
  console.log(
    display
      ? 'The Electron runtime is not installed (npx electron install fetches it); opening the browser build.'
      : 'No display: serving the window on 127.0.0.1 instead.',
  );
  spawn(process.execPath, ['bin/burrow', 'serve'], { stdio: 'inherit' }).on('exit', (code, signal) => process.exit(exitStatus(code, signal)));
}
