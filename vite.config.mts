import { defineConfig } from 'vite';

// The renderer: one build for Electron (loaded from file://, hence relative asset paths) and the browser.
export default defineConfig({
  root: 'renderer',
  base: './',
  publicDir: 'public',
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 2000 },
});
