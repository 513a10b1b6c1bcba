// What every run of the CLI loads: a `burrow start` or `stop` pays for it before it does anything. The
// CLI is bundled with the heavy packages left out, into a folder where they cannot be found, so loading
// one of them at start-up fails this test: zod (about 15 ms; only commands that validate a profile load
// it), ws (about 20 ms with https; only `serve`), node-pty (a native addon; only a unit's supervisor).
import { buildSync } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-cli-startup-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the CLI at start-up', () => {
  it('loads neither zod, ws nor node-pty until a command needs them', () => {
    const out = path.join(dir, 'cli.js');
    buildSync({
      entryPoints: [path.join(ROOT, 'electron/cli/burrow.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: out,
      external: ['zod', 'ws', 'node-pty', '@burrow/unix-dgram', 'electron', 'bufferutil', 'utf-8-validate'],
      logLevel: 'silent',
    });
    // Loading the bundle and listing the commands must not reach for any of them.
    const help = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(out)}).main(['--help'])`], { encoding: 'utf8' });
    expect(help).toMatch(/^burrow: boot systemd-based OS images/);
    // The same bundle does load zod where a command needs it (so the check above can fail).
    const env = { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_RUNTIME_DIR: path.join(dir, 'run') };
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['-e', `require(${JSON.stringify(out)}).main(${JSON.stringify(args)})`], { encoding: 'utf8', env });
    expect(run(['image', 'ls']).stderr).toMatch(/Cannot find module 'zod'/);
    // `stop` reads the runtime state, never the profile's schema.
    expect(run(['stop', 'nosuch']).stderr).toBe('burrow stop: no machine named "nosuch"\n  fix: list machines with: burrow ls\n');
  });
});
