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
    icon: path.join(distDir, 'renderer', 'icon.svg'),
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

/** The only page the window may show. */
export const rendererUrl = (distDir: string): string => `file://${path.join(distDir, 'renderer', 'index.html')}`;
