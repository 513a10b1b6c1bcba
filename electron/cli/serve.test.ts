// `burrow serve` opens the browser without putting its token where other users can read it: a process's
// arguments are public (/proc/PID/cmdline). The real CLI, bundled as the build does, with a stand-in
// xdg-open that records what it was given.
import { spawn, type ChildProcess } from 'node:child_process';
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
let dir: string;
let serve: ChildProcess | undefined;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-serve-test-'));
  buildSync({
    entryPoints: [path.join(ROOT, 'electron/cli/burrow.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: path.join(dir, 'cli.js'),
    external: ['electron', 'node-pty', 'unix-dgram', 'bufferutil', 'utf-8-validate'],
    logLevel: 'silent',
  });
  fs.mkdirSync(path.join(dir, 'renderer'));
  fs.writeFileSync(path.join(dir, 'renderer/index.html'), '<!doctype html><title>Burrow</title>');
  fs.mkdirSync(path.join(dir, 'bin'));
  // Records its arguments, and the page it was given while it still exists.
  fs.writeFileSync(
    path.join(dir, 'bin/xdg-open'),
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args.tmp"\n[ -f "$1" ] && cat "$1" > "${dir}/page" && stat -c %a "$1" > "${dir}/mode"\nmv "${dir}/args.tmp" "${dir}/args"\n`,
    { mode: 0o755 },
  );
  for (const d of ['run', 'config', 'data']) fs.mkdirSync(path.join(dir, d), { mode: 0o700 });
});

afterAll(() => {
  serve?.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

async function waitFor<T>(check: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('gives the browser a private page that forwards to the URL, never the token itself', async () => {
  const env = {
    PATH: `${dir}/bin:${process.env.PATH}`,
    HOME: dir,
    DISPLAY: ':99',
    NODE_PATH: path.join(ROOT, 'node_modules'),
    XDG_RUNTIME_DIR: path.join(dir, 'run'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_DATA_HOME: path.join(dir, 'data'),
  };
  serve = spawn(process.execPath, [path.join(dir, 'cli.js'), 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  serve.stdout!.on('data', (d) => (stdout += d));
  const url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(stdout)?.[0], 'the printed URL');
  const token = new URL(url).searchParams.get('token')!;
  const args = await waitFor(() => (fs.existsSync(`${dir}/args`) ? fs.readFileSync(`${dir}/args`, 'utf8').trim().split('\n') : undefined), 'xdg-open to run');

  expect(args.join(' ')).not.toContain(token);
  expect(args).toHaveLength(1);
  expect(path.dirname(args[0]!)).toBe(path.join(dir, 'run/burrow'));
  expect(fs.readFileSync(`${dir}/mode`, 'utf8').trim()).toBe('600');
  expect(fs.readFileSync(`${dir}/page`, 'utf8')).toContain(`url=${url}`);

  const exited = new Promise((r) => serve!.once('exit', r));
  serve.kill('SIGTERM');
  await exited;
  expect(fs.existsSync(args[0]!)).toBe(false);
}, 30_000);
