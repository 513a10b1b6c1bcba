// scripts/start.mjs (npm start) with a stand-in Electron (electron's own ELECTRON_OVERRIDE_DIST_PATH):
// Electron's exit status reaches npm, and Chromium's sandbox failure on Ubuntu 23.10+ is named with its fix.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
let stand: string;
beforeAll(() => (stand = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-start-'))));
afterAll(() => fs.rmSync(stand, { recursive: true, force: true }));

/** Runs npm start's script against a stand-in Electron whose body is `script` (sh). */
function start(script: string) {
  fs.writeFileSync(path.join(stand, 'electron'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  const r = spawnSync(process.execPath, ['scripts/start.mjs', '--no-build'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH, HOME: stand, DISPLAY: ':0', ELECTRON_OVERRIDE_DIST_PATH: stand },
  });
  return { status: r.status, stderr: r.stderr };
}

// What Electron 41 prints on Ubuntu 24.04 from a checkout, then aborts (SIGTRAP).
const UBUNTU_SANDBOX_FATAL =
  "[4242:1129/101010.000000:FATAL:sandbox/linux/suid/client/setuid_sandbox_host.cc:166] The SUID sandbox helper binary was found, but is not configured correctly. Rather than run without sandboxing I'm aborting now. You need to make sure that /src/node_modules/electron/dist/chrome-sandbox is owned by root and has mode 4755.";

describe('npm start', () => {
  it("passes Electron's exit status on, and a signal as 128+N", () => {
    expect(start('exit 0').status).toBe(0);
    expect(start('exit 3').status).toBe(3);
    expect(start('kill -TERM $$').status).toBe(128 + 15);
  });

  it('names the sandbox failure (AppArmor, chrome-sandbox) with its fix, and fails', () => {
    const r = start(`echo '${UBUNTU_SANDBOX_FATAL.replace(/'/g, "'\\''")}' >&2; kill -TRAP $$`);
    expect(r.status).toBe(128 + 5);
    expect(r.stderr).toContain(UBUNTU_SANDBOX_FATAL); // Electron's own words still reach the terminal
    expect(r.stderr).toMatch(/npm start: Electron's sandbox could not start: .*chrome-sandbox is not setuid root/);
    expect(r.stderr).toMatch(/fix: .*burrow doctor writes it and prints the one sudo command/);
    expect(r.stderr).not.toMatch(/apparmor_restrict_unprivileged_userns=0/);
  });
});
