// The packaging config, checked against electron-builder's own JSON schema (the one its CLI applies) and
// electron-builder's own rules where it has them, and the files it names: icons, the AppArmor profiles,
// the .deb's burrow command. scripts/check-packaging.mjs runs electron-builder itself as far as it can here.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDir } from '../engine/paths';

const Ajv = require('ajv') as typeof import('ajv').default;
const yaml = require('js-yaml') as { load(text: string): unknown };
const ROOT = path.resolve(__dirname, '../..');

interface BuilderConfig {
  productName: string;
  executableName: string;
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  electronFuses: Record<string, boolean>;
  linux: { target: { target: string }[]; icon: string; syncDesktopName: boolean; desktop: { entry: Record<string, string> } };
  deb: { depends: string[]; appArmorProfile: string; fpm: string[]; maintainer?: string };
}

const config = yaml.load(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown> & { author?: { name?: string; email?: string } };

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's schema", () => {
    const schema = JSON.parse(fs.readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
  });

  it('builds an AppImage and a .deb from the build npm ci made: no rebuild of native modules in node_modules', () => {
    expect(config.linux.target.map((t) => t.target)).toEqual(['AppImage', 'deb']);
    expect(config.npmRebuild).toBe(false);
    expect(config.deb.depends).toEqual(expect.arrayContaining(['bubblewrap', 'uidmap']));
  });

  it('unpacks what runs in Node mode from the asar: the CLI, the supervisor, the page for burrow serve, both addons', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual([
      'dist/cli.js',
      'dist/supervisor.js',
      'dist/network-holder.js',
      'dist/renderer/**/*',
      'node_modules/node-pty/**/*',
      'node_modules/@burrow/unix-dgram/**/*',
    ]);
    expect(Object.keys(pkg.dependencies as object).sort()).toEqual(['@burrow/unix-dgram', 'node-pty', 'ws', 'zod']);
  });

  it('hardens the fuses, keeping RunAsNode on for the supervisor and the CLI', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: true,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('has what the deb target requires (FpmTarget: a homepage, and author.email or deb.maintainer)', () => {
    // app-builder-lib's FpmTarget.computeFpmMetaInfoOptions refuses the build without these.
    expect(typeof pkg.homepage === 'string' && /^https?:\/\//.test(pkg.homepage)).toBe(true);
    expect(config.deb.maintainer ?? (pkg.author?.email && pkg.author.name)).toBeTruthy();
  });

  it("names the app so that Chromium keeps its profile out of the machines' folder", () => {
    // Electron names the app (and ~/.config/NAME, its user data) after package.json's productName, else its name.
    expect(pkg.productName).toBe(config.productName);
    const saved = process.env.XDG_CONFIG_HOME;
    const xdg = path.join(os.homedir(), '.config');
    process.env.XDG_CONFIG_HOME = xdg;
    try {
      expect(path.join(xdg, pkg.productName as string)).not.toBe(configDir());
      expect(path.join(xdg, pkg.name as string)).toBe(configDir()); // what it was without productName
    } finally {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved;
    }
  });

  it('gives the window, the .desktop file and StartupWMClass one name, the one the package installs', () => {
    // Electron: app.setDesktopName(package.json desktopName), its app_id (Wayland) and WM_CLASS (X11).
    // electron-builder: syncDesktopName names the .desktop file after desktopName; the default is executableName.
    expect(pkg.desktopName).toBe(`${config.executableName}.desktop`);
    expect(config.linux.syncDesktopName).toBe(true);
    expect(config.linux.desktop.entry.StartupWMClass).toBe(config.executableName);
    expect(config.linux.desktop.entry.Exec).toBeUndefined(); // electron-builder points it at the packaged binary
    // No hand-written desktop entry besides (resources/burrow.desktop ran the CLI: Exec=burrow).
    const desktopFiles = fs.readdirSync(path.join(ROOT, 'resources'), { recursive: true }).filter((f) => String(f).endsWith('.desktop'));
    expect(desktopFiles).toEqual([]);
  });

  it('names files that exist: icons at the usual sizes and a scalable one, the AppArmor profiles', () => {
    const icons = path.join(ROOT, config.linux.icon);
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      const png = fs.readFileSync(path.join(icons, `${size}x${size}.png`));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
    expect(fs.readFileSync(path.join(icons, 'burrow.svg'), 'utf8')).toMatch(/^<svg/);
    const profiles = fs.readFileSync(path.join(ROOT, config.deb.appArmorProfile), 'utf8');
    expect(profiles).toContain(`"/opt/${config.productName}/${config.executableName}"`);
  });

  it('installs /usr/bin/burrow in the .deb: the CLI on the packaged binary in Node mode, no system Node', async () => {
    const { burrowCommandScript } = await import('../engine/burrow-command');
    const { nodeScriptCommand } = await import('../engine/node-runtime');
    const [source, target] = (config.deb.fpm ?? [''])[0]!.split('=');
    expect(target).toBe('/usr/bin/burrow');
    const file = path.join(ROOT, source!);
    expect(fs.statSync(file).mode & 0o755).toBe(0o755);
    const cli = nodeScriptCommand(`/opt/${config.productName}/resources/app.asar/dist/cli.js`, [], {
      execPath: `/opt/${config.productName}/${config.executableName}`,
      electron: '41',
    });
    expect(fs.readFileSync(file, 'utf8')).toBe(burrowCommandScript(cli, 'the .deb installs it as /usr/bin/burrow'));
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^export ELECTRON_RUN_AS_NODE=1$/m);
  });
});
