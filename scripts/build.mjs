// Builds the Node side with esbuild (CLI, supervisor, Electron main, preload) and the renderer with Vite.
// Native addons stay external: node-pty and @burrow/unix-dgram, both Node-API (one build loads in Node and
// in Electron), are loaded from node_modules, which the packaged app unpacks from the asar.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  external: ['electron', 'node-pty', '@burrow/unix-dgram', 'bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
};

// The datagram addon first: the supervisor loads it (a no-op when it is up to date).
execFileSync(process.execPath, ['scripts/build-native.mjs'], { stdio: 'inherit' });

await Promise.all([
  build({
    ...common,
    entryPoints: {
      cli: 'electron/cli/burrow.ts',
      supervisor: 'electron/supervisor/supervisor-main.ts',
      'network-holder': 'electron/supervisor/network-holder-main.ts',
    },
    outdir: 'dist',
  }),
  ...(existsSync('electron/main/main.ts') ? [build({ ...common, entryPoints: { main: 'electron/main/main.ts' }, outdir: 'dist' })] : []),
  // Sandboxed preloads cannot require() local files: one self-contained CommonJS file.
  ...(existsSync('electron/preload/preload.ts')
    ? [build({ ...common, platform: 'browser', target: 'chrome120', entryPoints: { preload: 'electron/preload/preload.ts' }, outdir: 'dist' })]
    : []),
]);
if (existsSync('renderer/index.html') && !process.argv.includes('--no-renderer')) {
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
}
