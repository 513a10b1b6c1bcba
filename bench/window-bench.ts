// The window's figures alone (a few minutes instead of the whole bench): boot and stop from the web host
// against the hand-run line, the console flood to the window (DOM and WebGL renderers), memory per machine
// as PSS with 10 running, an idle web host's CPU with 10 machines and 3 windows (and another build's, with
// BENCH_BASE_CLI=path/to/its/dist/cli.js).
// Run: BENCH_SCRIPT=bench/window-bench.ts npm run bench
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSandbox, ok } from '../test/integration/harness';
import { benchIdleHost, benchWindowBootStop, machineMemory, startMany } from './window';
import { benchBrowserConsole, writeFlood } from './window-console';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const BASE_CLI = process.env.BENCH_BASE_CLI;

async function main() {
  const sb = createSandbox('bench-window');
  try {
    const rootfs = sb.rootfs('debian12', 'bench');
    ok(sb.burrow(['create', 'bench', '--rootfs', rootfs, '--network', 'isolated']));
    const fromWindow = await benchWindowBootStop(sb, 'bench', RUNS);
    writeFlood(rootfs);
    ok(sb.burrow(['start', 'bench']));
    const windowConsole = process.env.BENCH_SKIP_CONSOLE ? undefined : await benchBrowserConsole(sb, rootfs, 'bench', RUNS);
    ok(sb.burrow(['stop', 'bench']));
    const names = Array.from({ length: 10 }, (_, i) => `idle${i}`);
    const scale = await startMany(sb, names);
    const pids = names.map((n) => JSON.parse(ok(sb.burrow(['status', n, '--json']))).supervisorPid as number).filter(Boolean);
    const memory = machineMemory(pids);
    const idleHost = await benchIdleHost(sb, IDLE_SECONDS);
    const idleHostBase = BASE_CLI ? await benchIdleHost(sb, IDLE_SECONDS, 3, BASE_CLI) : undefined;
    for (const n of names) sb.burrow(['stop', n]);
    console.table([fromWindow.boot, fromWindow.stop, ...(windowConsole?.rows ?? [])]);
    if (windowConsole) console.log('longest frame (ms):', JSON.stringify(windowConsole.longestFrameMs), windowConsole.notes.join('; '));
    console.log(
      'boot runs (ms):',
      fromWindow.runs.burrow.map((r) => r.boot.toFixed(0)).join(' '),
      '| hand-run:',
      fromWindow.runs.hand.map((r) => r.boot.toFixed(0)).join(' '),
    );
    console.log(
      `boot, where the time goes (medians): ${fromWindow.beforeSupervisorMs} ms before the supervisor began, ` +
        `${fromWindow.afterReadyMs} ms from READY=1 to the answer; the supervisor's launch to READY=1 ${fromWindow.launchToReadyMs} ms`,
    );
    console.log(
      'stop runs (ms):',
      fromWindow.runs.burrow.map((r) => r.stop.toFixed(0)).join(' '),
      '| hand-run:',
      fromWindow.runs.hand.map((r) => r.stop.toFixed(0)).join(' '),
    );
    console.log('memory:', JSON.stringify(memory));
    console.log(`scale: ${scale.machines} machines at once in ${scale.totalMs} ms, ${scale.failures} failures`);
    console.log('idle web host:', JSON.stringify(idleHost), idleHostBase ? `baseline ${BASE_CLI}: ${JSON.stringify(idleHostBase)}` : '');
    const out = path.join(__dirname, 'results', `window-${Date.now()}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(
      out,
      JSON.stringify({ date: new Date().toISOString(), runs: RUNS, fromWindow, windowConsole, memory, scale, idleHost, idleHostBase }, null, 2),
    );
    console.log(`written to ${out}`);
  } finally {
    sb.cleanup();
  }
}

void main();
