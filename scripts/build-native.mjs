// Builds our Node-API addon (native/unix-dgram) with node-gyp, as `npm ci` does through prepare. Root
// scripts run under npm's allowScripts where a dependency's install script would not (and an approval
// for a file: dependency is written as an absolute path), so the build belongs to the project itself.
// One build serves Node and Electron: Node-API has no per-runtime ABI. Skipped when it is up to date.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const pkg = path.join(import.meta.dirname, '..', 'native', 'unix-dgram');
const src = path.join(pkg, 'src');
const built = path.join(src, 'build', 'Release', 'unix_dgram.node');
const target = path.join(pkg, 'unix_dgram.node');

const mtime = (f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0);
const newest = Math.max(...['binding.gyp', 'unix_dgram.c'].map((f) => mtime(path.join(src, f))));
if (mtime(target) < newest || mtime(built) < newest) {
  // npm passes its own node-gyp to scripts; a plain `node scripts/build.mjs` uses the one in node_modules.
  const gyp = process.env.npm_config_node_gyp || createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  // Headers from this Node's own install where it has them (Debian's nodejs, the official tarballs):
  // node-gyp would otherwise download them, and only the npm registry may be reachable.
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const local = !process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'));
  const args = [gyp, 'rebuild', '--loglevel=warn', ...(local ? [`--nodedir=${prefix}`] : [])];
  execFileSync(process.execPath, args, { cwd: src, stdio: ['ignore', 'ignore', 'inherit'] });
  fs.copyFileSync(built, target);
}
