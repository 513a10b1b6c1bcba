// Renders resources/icons/burrow.svg to the PNG sizes desktops and electron-builder look for
// (resources/icons/NxN.png) and the window icon, with Debian's Chromium. Run after changing the SVG: node scripts/render-icons.mjs
import { chromium } from 'playwright-core';
import * as fs from 'node:fs';
import * as path from 'node:path';

const dir = path.join(import.meta.dirname, '..', 'resources', 'icons');
const svg = fs.readFileSync(path.join(dir, 'burrow.svg'), 'utf8');
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  for (const size of SIZES) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg', `<svg width="${size}" height="${size}"`)}</body></html>`);
    await page.screenshot({ path: path.join(dir, `${size}x${size}.png`), omitBackground: true });
  }
  // The window icon (Electron's image loader reads PNG, not SVG): Vite copies renderer/public into dist/renderer.
  fs.copyFileSync(path.join(dir, '256x256.png'), path.join(dir, '..', '..', 'renderer', 'public', 'icon.png'));
  console.log(`rendered ${SIZES.map((s) => `${s}x${s}`).join(', ')} into ${dir}`);
} finally {
  await browser.close();
}
