// Which runtime runs our Node scripts (the supervisor, the CLI) in each way Burrow is installed, and the
// `burrow` command of the packaged app. The AppImage case runs electron-builder's own AppRun script, in
// a stand-in AppDir whose "Electron" is this Node (Node mode behaves as Node), with and without the
// AppArmor restriction that makes AppRun add --no-sandbox.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BURROW_COMMAND_MARKER, burrowCommandScript, installBurrowCommand } from './burrow-command';
import { nodeScriptCommand, type NodeRuntime } from './node-runtime';

const { generateAppRunScript } = require('app-builder-lib/out/targets/appimage/appImageUtil') as { generateAppRunScript(c: Record<string, string>): string };

describe('nodeScriptCommand', () => {
  it('runs a script on plain Node as it is', () => {
    const rt: NodeRuntime = { execPath: '/usr/bin/node' };
    expect(nodeScriptCommand('/src/burrow/dist/supervisor.js', ['web'], rt)).toEqual({
      runtime: 'node',
      file: '/usr/bin/node',
      args: ['/src/burrow/dist/supervisor.js', 'web'],
      env: {},
    });
  });

  it('runs it on Electron in Node mode in a checkout (npm start) and in the .deb, from app.asar.unpacked', () => {
    const dev: NodeRuntime = { execPath: '/src/burrow/node_modules/electron/dist/electron', electron: '41.7.1' };
    expect(nodeScriptCommand('/src/burrow/dist/supervisor.js', ['web'], dev)).toEqual({
      runtime: 'electron',
      file: dev.execPath,
      args: ['/src/burrow/dist/supervisor.js', 'web'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    const deb: NodeRuntime = { execPath: '/opt/Burrow/burrow-desktop', electron: '41.7.1' };
    expect(nodeScriptCommand('/opt/Burrow/resources/app.asar/dist/supervisor.js', ['web'], deb)).toEqual({
      runtime: 'electron',
      file: '/opt/Burrow/burrow-desktop',
      args: ['/opt/Burrow/resources/app.asar.unpacked/dist/supervisor.js', 'web'],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
  });

  it('runs it through the AppImage file, never the binary in its mount, which changes and goes away', () => {
    const rt: NodeRuntime = {
      execPath: '/tmp/.mount_BurrowAb12Cd/burrow-desktop',
      electron: '41.7.1',
      appImage: '/home/zoë/Apps/Burrow.AppImage',
      appDir: '/tmp/.mount_BurrowAb12Cd',
    };
    const cmd = nodeScriptCommand('/tmp/.mount_BurrowAb12Cd/resources/app.asar/dist/supervisor.js', ['web'], rt);
    expect(cmd).toMatchObject({ runtime: 'appimage', file: '/home/zoë/Apps/Burrow.AppImage', env: { ELECTRON_RUN_AS_NODE: '1' } });
    expect(cmd.args.slice(2)).toEqual(['--', '--no-sandbox', 'resources/app.asar.unpacked/dist/supervisor.js', 'web']);
    // A stale $APPIMAGE from some parent process does not count when we do not run from that mount.
    expect(nodeScriptCommand('/opt/Burrow/resources/app.asar/dist/cli.js', [], { ...rt, execPath: '/opt/Burrow/burrow-desktop' }).runtime).toBe('electron');
  });
});

describe('an AppImage runs our scripts in Node mode through its own AppRun', () => {
  let base: string;
  let appImage: string;
  const appDir = () => path.join(base, '.mount_BurrowAb12Cd');

  beforeAll(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-appimage-'));
    const dir = appDir();
    fs.mkdirSync(path.join(dir, 'resources', 'app.asar.unpacked', 'dist'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'AppRun'),
      generateAppRunScript({
        DesktopFileName: 'burrow-desktop.desktop',
        ExecutableName: 'burrow-desktop',
        ProductName: 'Burrow',
        ProductFilename: 'Burrow',
        ResourceName: 'appimagekit-burrow-desktop',
      }),
      { mode: 0o755 },
    );
    // "Electron" here is this Node: in Node mode Electron takes Node's command line.
    fs.writeFileSync(path.join(dir, 'burrow-desktop'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(
      path.join(dir, 'resources', 'app.asar.unpacked', 'dist', 'probe.js'),
      'process.stdout.write(JSON.stringify({ main: require.main === module, argv: process.argv.slice(2), runAsNode: process.env.ELECTRON_RUN_AS_NODE, file: __filename }))',
    );
    // The AppImage runtime's part: mount (here, the folder exists already), set APPDIR and APPIMAGE, run AppRun.
    appImage = path.join(base, 'Burrow $(x) .AppImage');
    fs.writeFileSync(appImage, `#!/bin/sh\nexport APPDIR=${JSON.stringify(dir)} APPIMAGE="$0"\nexec "$APPDIR/AppRun" "$@"\n`, { mode: 0o755 });
  });
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  /** Ubuntu 24.04's AppArmor restriction makes `unshare -Ur true` fail, and AppRun then adds --no-sandbox. */
  const restrictUserns = (on: boolean) => fs.writeFileSync(path.join(appDir(), 'unshare'), `#!/bin/sh\nexit ${on ? 1 : 0}\n`, { mode: 0o755 });

  const run = (file: string, args: string[], env: Record<string, string>) => {
    const r = spawnSync(file, args, { env: { PATH: process.env.PATH!, HOME: base, ...env }, encoding: 'utf8', timeout: 20_000 });
    return { status: r.status, out: r.stdout, err: r.stderr };
  };

  for (const restricted of [true, false]) {
    it(`passes the script its arguments untouched and runs it as main (user namespaces ${restricted ? 'restricted' : 'allowed'})`, () => {
      restrictUserns(restricted);
      const rt: NodeRuntime = { execPath: path.join(appDir(), 'burrow-desktop'), electron: '41.7.1', appImage, appDir: appDir() };
      const cmd = nodeScriptCommand(
        path.join(appDir(), 'resources', 'app.asar', 'dist', 'probe.js'),
        ['web', '--no-sandbox', 'a b', "it's", '$HOME', '--', ''],
        rt,
      );
      const r = run(cmd.file, cmd.args, cmd.env);
      expect(r.err).toBe('');
      expect(JSON.parse(r.out)).toEqual({
        main: true,
        argv: ['web', '--no-sandbox', 'a b', "it's", '$HOME', '--', ''],
        runAsNode: '1',
        file: path.join(appDir(), 'resources', 'app.asar.unpacked', 'dist', 'probe.js'),
      });
    });
  }

  it('would fail the naive way on a restricted host: AppRun puts --no-sandbox first, which Node refuses', () => {
    restrictUserns(true);
    const r = run(appImage, [path.join(appDir(), 'resources', 'app.asar.unpacked', 'dist', 'probe.js')], { ELECTRON_RUN_AS_NODE: '1' });
    expect(r.status).not.toBe(0);
    expect(r.err).toMatch(/bad option: --no-sandbox/);
  });

  it('installs a burrow command for the user that runs the AppImage CLI with any arguments', () => {
    restrictUserns(true);
    const rt: NodeRuntime = { execPath: path.join(appDir(), 'burrow-desktop'), electron: '41.7.1', appImage, appDir: appDir() };
    const cli = nodeScriptCommand(path.join(appDir(), 'resources', 'app.asar', 'dist', 'probe.js'), [], rt);
    const home = path.join(base, 'home');
    const installed = installBurrowCommand(cli, appImage, home, `/usr/bin:${path.join(home, '.local', 'bin')}`);
    expect(installed).toEqual({ path: path.join(home, '.local', 'bin', 'burrow'), onPath: true });
    expect(fs.statSync(installed.path).mode & 0o777).toBe(0o755);
    const r = run(installed.path, ['ls', '--json', "x'y", '$(touch pwned)'], {});
    expect(JSON.parse(r.out).argv).toEqual(['ls', '--json', "x'y", '$(touch pwned)']);
    expect(fs.existsSync(path.join(base, 'pwned'))).toBe(false);
    // Again (a newer AppImage): replaced. Someone else's burrow: left alone, with the reason.
    expect(installBurrowCommand(cli, appImage, home, '/usr/bin').onPath).toBe(false);
    fs.writeFileSync(installed.path, '#!/bin/sh\nexec node ~/src/burrow/bin/burrow "$@"\n');
    expect(() => installBurrowCommand(cli, appImage, home)).toThrow(/was not written by Burrow/);
    fs.rmSync(installed.path);
    fs.symlinkSync('/usr/bin/true', installed.path);
    expect(() => installBurrowCommand(cli, appImage, home)).toThrow(/was not written by Burrow/);
    expect(fs.readlinkSync(installed.path)).toBe('/usr/bin/true');
  });
});

describe('the burrow command script', () => {
  it('keeps a hostile AppImage file name a comment and an argument, never a command', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-cmd-'));
    try {
      const pwned = path.join(dir, 'pwned');
      const hostile = `${dir}/a\ntouch ${pwned} #'$(touch ${pwned})\`.AppImage`;
      const cli = nodeScriptCommand(`${dir}/.mount_x/resources/app.asar/dist/cli.js`, [], {
        execPath: `${dir}/.mount_x/burrow-desktop`,
        electron: '41',
        appImage: hostile,
        appDir: `${dir}/.mount_x`,
      });
      const script = path.join(dir, 'burrow');
      fs.writeFileSync(script, burrowCommandScript(cli, `AppImage ${hostile}`), { mode: 0o755 });
      expect(fs.readFileSync(script, 'utf8').split('\n')[1]).toMatch(new RegExp(`^${BURROW_COMMAND_MARKER} \\(AppImage .*/a\\?touch`));
      const r = spawnSync(script, ['--version'], { encoding: 'utf8' });
      expect(r.status).not.toBe(0); // no such AppImage: exec fails, and nothing else ran
      expect(fs.existsSync(pwned)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
