// The packaging check, for machines without the Electron runtime (it cannot be downloaded here):
// 1. `npm run dist` as a user runs it: it must stop where electron-builder downloads Electron, having
//    rebuilt nothing; the development tree (its native builds, the CLI) must be exactly as before.
// 2. electron-builder --dir with a stand-in Electron (a script that carries Electron's fuse wire): the
//    real asar, unpack, fuse and sanity steps run, and the result is checked: fuses flipped as
//    electron-builder.yml says, what runs in Node mode unpacked with its addons (the very builds npm ci
//    made), the packaged CLI running from app.asar.unpacked with no asar support (Node stands in for
//    Electron in Node mode). The AppImage and .deb targets need tools downloaded from GitHub: not run.
// Usage: node scripts/check-packaging.mjs   (about a minute; leaves nothing in out/)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const run = (file, args, opts = {}) => spawnSync(file, args, { encoding: 'utf8', timeout: 300_000, ...opts });

/** Every compiled addon in node_modules, by content: a rebuild would change them. */
function nativeBuilds() {
  const found = {};
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() || (e.isSymbolicLink() && fs.statSync(p).isDirectory()))
        walk(p); // file: dependencies are links
      else if (e.name.endsWith('.node')) found[path.relative(root, p)] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(path.join(root, 'node_modules'));
  return found;
}

function devTreeWorks(when) {
  const version = run(process.execPath, ['bin/burrow', '--version']);
  check(
    version.status === 0 && /\d+\.\d+\.\d+/.test(version.stdout),
    `${when}: the CLI runs on Node (burrow --version: ${version.stdout.trim() || version.stderr.trim()})`,
  );
  const script =
    "require('node-pty'); const d = require('@burrow/unix-dgram'); " +
    "const p = require('path').join(require('os').tmpdir(), 'burrow-pkg-' + process.pid); " +
    "const s = d.bind(p, (m) => { console.log(String(m)); s.close(); require('fs').rmSync(p); }); d.send(p, Buffer.from('READY=1'));";
  const probe = run(process.execPath, ['-e', script]);
  check(probe.status === 0 && probe.stdout.trim() === 'READY=1', `${when}: node-pty and @burrow/unix-dgram load in Node, a datagram goes through`);
}

const before = nativeBuilds();
check(
  Object.keys(before).some((f) => f.includes('@burrow/unix-dgram')) && Object.keys(before).some((f) => f.includes('node-pty/build')),
  'npm ci built both addons',
);

console.log('== npm run dist (stops where Electron would be downloaded)');
fs.rmSync('out', { recursive: true, force: true });
const dist = run('npm', ['run', 'dist'], { env: { ...process.env, ELECTRON_BUILDER_CACHE: fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-eb-cache-')) } });
const log = `${dist.stdout}\n${dist.stderr}`;
check(/skipped dependencies rebuild/.test(log), 'electron-builder skipped the native rebuild (npmRebuild: false)');
if (dist.status === 0) console.log('     (npm run dist succeeded: this machine has the Electron download, see out/)');
else
  check(
    /packaging\s+platform=linux/.test(log) && /(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|ETIMEDOUT|github\.com|download)/i.test(log),
    'npm run dist stopped at the Electron download, after validating the configuration',
  );
check(JSON.stringify(nativeBuilds()) === JSON.stringify(before), 'node_modules: every compiled addon byte for byte as npm ci made it');
devTreeWorks('after npm run dist');

console.log('== electron-builder --dir with a stand-in Electron');
const stand = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-electron-stand-in-'));
// Electron 41's fuse wire: sentinel, version 1, 9 fuses at Electron's defaults (RunAsNode, NodeOptions,
// NodeCliInspect, GrantFileProtocolExtraPrivileges, WasmTrapHandlers on).
fs.writeFileSync(path.join(stand, 'electron'), '#!/bin/sh\n# stand-in for Electron: dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX\x01\x09101100011\nexit 0\n', {
  mode: 0o755,
});
const dir = run(process.execPath, ['node_modules/electron-builder/cli.js', '--dir', '--config', 'electron-builder.yml', `-c.electronDist=${stand}`]);
check(dir.status === 0, `electron-builder --dir ran: asar, unpack, fuses, sanity check${dir.status === 0 ? '' : `\n${dir.stdout}\n${dir.stderr}`}`);
const app = path.join(root, 'out', 'linux-unpacked');
if (dir.status === 0) {
  const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses');
  const wire = await getCurrentFuseWire(path.join(app, 'burrow-desktop'));
  const state = (o) => String.fromCharCode(wire[FuseV1Options[o]]);
  const expected = {
    RunAsNode: '1',
    EnableCookieEncryption: '1',
    EnableNodeOptionsEnvironmentVariable: '0',
    EnableNodeCliInspectArguments: '0',
    EnableEmbeddedAsarIntegrityValidation: '0',
    OnlyLoadAppFromAsar: '1',
    GrantFileProtocolExtraPrivileges: '0',
  };
  check(
    Object.entries(expected).every(([o, v]) => state(o) === v),
    `fuses in the packaged binary: ${Object.keys(expected)
      .map((o) => `${o}=${state(o)}`)
      .join(' ')}`,
  );

  const asar = require('@electron/asar');
  const archive = path.join(app, 'resources', 'app.asar');
  const files = new Set(asar.listPackage(archive).map((f) => f.replace(/^\//, '')));
  const packaged = JSON.parse(asar.extractFile(archive, 'package.json').toString());
  check(
    packaged.productName === 'Burrow' && packaged.desktopName === 'burrow-desktop.desktop' && packaged.main === 'dist/main.js',
    'app.asar/package.json: productName Burrow, desktopName burrow-desktop.desktop, main dist/main.js',
  );
  check(
    files.has('dist/main.js') && files.has('dist/preload.js') && ![...files].some((f) => f.startsWith('dist/') && f.endsWith('.map')),
    'app.asar holds the main process and the preload, not their source maps',
  );
  const unpacked = path.join(app, 'resources', 'app.asar.unpacked');
  const need = [
    'dist/cli.js',
    'dist/supervisor.js',
    'dist/network-holder.js',
    'dist/renderer/index.html',
    'dist/renderer/icon.png',
    'node_modules/node-pty/build/Release/pty.node',
    'node_modules/@burrow/unix-dgram/unix_dgram.node',
  ];
  check(
    need.every((f) => fs.existsSync(path.join(unpacked, f))),
    `unpacked from the asar: ${need.join(', ')}`,
  );
  check(![...files].some((f) => f.startsWith('node_modules/@burrow/unix-dgram/src')), "the addon's source and node-gyp's build folder stay out");
  check(
    /http-equiv="Content-Security-Policy"/.test(fs.readFileSync(path.join(unpacked, 'dist/renderer/index.html'), 'utf8')),
    'the packaged page carries its CSP as a <meta>',
  );
  const same = ['node-pty/build/Release/pty.node', '@burrow/unix-dgram/unix_dgram.node'].every((f) =>
    fs.readFileSync(path.join(unpacked, 'node_modules', f)).equals(fs.readFileSync(path.join(root, 'node_modules', f))),
  );
  check(same, 'the packaged addons are the builds npm ci made (Node-API: no per-runtime rebuild)');
  // Node stands in for Electron in Node mode here: the CLI runs from app.asar.unpacked with its addons.
  const cli = run(process.execPath, [path.join(unpacked, 'dist', 'cli.js'), '--version'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  check(
    cli.status === 0 && cli.stdout.trim() === run(process.execPath, ['bin/burrow', '--version']).stdout.trim(),
    `the packaged CLI runs from app.asar.unpacked (${cli.stdout.trim() || cli.stderr.trim()})`,
  );
  const deb = fs.readFileSync('resources/deb/burrow', 'utf8');
  check(
    deb.includes('/opt/Burrow/resources/app.asar.unpacked/dist/cli.js') && fs.existsSync(path.join(app, 'resources/app.asar.unpacked/dist/cli.js')),
    "the .deb's /usr/bin/burrow names a file the package has (/opt/Burrow = out/linux-unpacked)",
  );
}
check(JSON.stringify(nativeBuilds()) === JSON.stringify(before), 'node_modules still byte for byte as npm ci made it');
devTreeWorks('after electron-builder --dir');
fs.rmSync(stand, { recursive: true, force: true });
fs.rmSync('out', { recursive: true, force: true });

if (failures.length) {
  console.error(`\n${failures.length} packaging check(s) failed`);
  process.exit(1);
}
console.log('\npackaging checks passed (the AppImage and .deb targets themselves need the Electron download and fpm/appimagetool: not run here)');
