// Which native builds each process loads: the supervisor and the CLI run on Node or on Electron in Node
// mode, the main process on Electron; the one build `npm ci` makes must load in all of them, which only a
// Node-API addon does (a NAN or V8 addon is tied to one ABI: Node 20's 115 is not Electron 41's 145).
// Checked on the real import graph (as esbuild bundles it) and on the real compiled files.
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

/** The packages with a compiled addon that a bundle loads at run time from node_modules. */
function nativePackages(entry: string): string[] {
  const r = buildSync({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    write: false,
    platform: 'node',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
    outdir: '/tmp/burrow-native-test',
  });
  const specifiers = Object.values(r.metafile!.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  const packages = specifiers
    .filter((s) => !isBuiltin(s))
    .map((s) =>
      s
        .split('/')
        .slice(0, s.startsWith('@') ? 2 : 1)
        .join('/'),
    );
  return [...new Set(packages)].filter((p) => linuxAddons(p).length > 0).sort();
}

function dynamicSymbols(file: string, which: '--defined-only' | '--undefined-only'): string[] {
  const r = spawnSync('nm', ['-D', which, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nm -D ${file}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/).pop()!)
    .filter(Boolean);
}

/** Every compiled addon in a package (prebuilds for other systems and node-gyp's intermediates aside). */
function linuxAddons(pkg: string): string[] {
  const dir = path.join(ROOT, 'node_modules', pkg);
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.node') && !/(^|\/)(prebuilds|obj\.target)\//.test(f))
    .map((f) => path.join(dir, f));
}

describe('native builds', () => {
  it('each process loads the native packages it needs: the pty, and in the supervisor the readiness socket', () => {
    expect(nativePackages('electron/supervisor/supervisor-main.ts')).toEqual(['@burrow/unix-dgram', 'node-pty']);
    expect(nativePackages('electron/main/main.ts')).toContain('node-pty');
    expect(nativePackages('electron/cli/burrow.ts')).toContain('node-pty');
  });

  it('every one of them is a Node-API addon: it loads in Node and in Electron without a rebuild', () => {
    const packages = new Set(['electron/supervisor/supervisor-main.ts', 'electron/main/main.ts', 'electron/cli/burrow.ts'].flatMap(nativePackages));
    expect(packages.size).toBeGreaterThan(0);
    for (const pkg of packages) {
      for (const addon of linuxAddons(pkg)) {
        expect(dynamicSymbols(addon, '--defined-only'), addon).toContain('napi_register_module_v1');
        const imported = dynamicSymbols(addon, '--undefined-only');
        // V8's C++ API (_ZN2v8...) or a node::/libuv symbol would tie it to one runtime's ABI.
        expect(
          imported.filter((s) => /^_ZN2v8|^_ZN4node|^node_module_register|^uv_/.test(s)),
          addon,
        ).toEqual([]);
      }
    }
  });

  it('our datagram addon loads here and speaks the protocol the supervisor needs', () => {
    const addon = require('@burrow/unix-dgram') as typeof import('@burrow/unix-dgram');
    expect(Object.keys(addon).sort()).toEqual(['addonPath', 'bind', 'send']);
    expect(fs.existsSync(addon.addonPath)).toBe(true);
  });
});
