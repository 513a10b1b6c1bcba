// The window's options: Electron's security checklist in one place, so a test can assert each setting.
import type { BrowserWindowConstructorOptions } from 'electron';
import * as path from 'node:path';

export function windowOptions(distDir: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 560,
    title: 'Burrow',
    // A PNG: Electron's image loader cannot read SVG. Vite copies renderer/public/icon.png here.
    icon: path.join(distDir, 'renderer', 'icon.png'),
    show: false,
    webPreferences: {
      preload: path.join(distDir, 'preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}
