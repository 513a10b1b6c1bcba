// The console flood to the window: from the machine's console to xterm.js in Chromium through the web
// host, with xterm's DOM renderer and with its WebGL one (where the browser has WebGL; this build machine's
// headless Chromium has only SwiftShader, a software GL, which says nothing of a GPU), against the same
// file on a raw pty. Also the longest frame while it runs (the window must stay usable).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BURROW, onPty, type Sandbox } from '../test/integration/harness';
import { median, row } from './hand-run';
import { startServe } from './web-host';

export const FLOOD_END = 'BURROW-FLOOD-END';
/** 32 MiB of numbered lines and the end marker, in the machine's /root/flood.txt; returns its host path. */
export function writeFlood(rootfs: string): string {
  const line = 'x'.repeat(75);
  const flood = path.join(rootfs, 'root', 'flood.txt');
  const lines = Math.floor((32 * 1024 ** 2) / 76);
  fs.writeFileSync(flood, `${Array.from({ length: lines }, (_, i) => `${String(i).padStart(8, '0')}${line.slice(8)}`).join('\n')}\n${FLOOD_END}\n`);
  return flood;
}

/** MiB per second. */
export const throughput = (bytes: number, ms: number) => bytes / 1024 ** 2 / (ms / 1000);

export interface WindowConsoleFigures {
  rows: ReturnType<typeof row>[];
  longestFrameMs: Record<string, number>;
  /** What drew each renderer's frames, or why one was not measured. */
  notes: string[];
}

export async function benchBrowserConsole(sb: Sandbox, rootfs: string, name: string, runs: number): Promise<WindowConsoleFigures> {
  const { chromium } = await import('playwright-core');
  const flood = path.join(rootfs, 'root', 'flood.txt');
  const serve = await startServe(sb);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const figures: WindowConsoleFigures = { rows: [], longestFrameMs: {}, notes: [] };
  try {
    // The baseline, timed the same way (from the start of the writer to the end marker).
    const raw: number[] = [];
    for (let i = 0; i < Math.min(runs, 3); i++) {
      const t0 = performance.now();
      const run = onPty('/bin/sh', ['-c', `cat '${flood}'; sleep 2`], sb.env);
      await new Promise<void>((resolve) => {
        let tail = '';
        run.term.onData((d) => {
          tail = (tail + d).slice(-64);
          if (tail.includes(FLOOD_END)) resolve();
        });
      });
      raw.push(throughput(fs.statSync(flood).size, performance.now() - t0));
      run.term.kill();
    }
    for (const renderer of ['dom', 'webgl'] as const) {
      const rates: number[] = [];
      const frames: number[] = [];
      for (let i = 0; i < Math.min(runs, 3); i++) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.addInitScript((r) => localStorage.setItem('burrow.terminalRenderer', r), renderer);
        await page.goto(serve.url);
        await page
          .getByRole('navigation', { name: 'Machines' })
          .getByRole('button', { name: new RegExp(`^${name} `) })
          .click();
        const host = page.getByTestId('terminal-console').locator('.xterm-host');
        await host.waitFor();
        await page.waitForTimeout(500); // history replayed, renderer loaded
        const used = await host.getAttribute('data-renderer');
        if (used !== renderer) {
          figures.notes.push(`${renderer}: not measured, the page drew with ${used} (${renderer === 'webgl' ? 'this browser has no WebGL2' : 'unexpected'})`);
          await page.close();
          break;
        }
        if (i === 0 && renderer === 'webgl') {
          // What draws WebGL here (a string, not a function: see the frame counter below).
          const gl = await page.evaluate(
            '(() => { const gl = document.createElement("canvas").getContext("webgl2"); ' +
              'const i = gl && gl.getExtension("WEBGL_debug_renderer_info"); ' +
              'return gl ? String(gl.getParameter(i ? i.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : "none"; })()',
          );
          figures.notes.push(`webgl: drawn by ${gl}`);
        }
        // A string, not a function: the bundler would rewrite `performance` to this process's import.
        await page.evaluate(`(() => {
          window.maxGap = 0;
          let last = performance.now();
          const tick = (t) => { window.maxGap = Math.max(window.maxGap, t - last); last = t; requestAnimationFrame(tick); };
          requestAnimationFrame(tick);
        })()`);
        // A marker of this run only: the console history already holds earlier floods' end markers.
        const end = `BURROW-WINDOW-END-${renderer}-${i}-${Date.now()}`;
        const t0 = performance.now();
        const writer = spawn(process.execPath, [BURROW, 'shell', name, '--', 'sh', '-c', `cat /root/flood.txt > /dev/console && echo ${end} > /dev/console`], {
          env: sb.env,
          stdio: 'ignore',
        });
        const written = new Promise((r) => writer.on('exit', r));
        // Parsed by xterm (its buffer: WebGL text is not in the DOM), then one frame drawn.
        await page.waitForFunction(
          (marker) => (window as unknown as { __burrowTerminalTail(k: string): string }).__burrowTerminalTail('console').includes(marker),
          end,
          { polling: 50, timeout: 300_000 },
        );
        await page.evaluate('new Promise((r) => requestAnimationFrame(() => r()))');
        rates.push(throughput(fs.statSync(flood).size, performance.now() - t0));
        frames.push((await page.evaluate('window.maxGap')) as number);
        await written;
        await page.close();
      }
      if (!rates.length) continue;
      figures.rows.push(row(`console flood to the window, ${renderer === 'dom' ? 'DOM' : 'WebGL'} renderer (MiB/s)`, median(rates), median(raw)));
      figures.longestFrameMs[renderer] = +Math.max(...frames).toFixed(0);
    }
    return figures;
  } finally {
    await browser.close();
    await serve.close();
  }
}
