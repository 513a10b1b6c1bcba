// Benchmarks, each against a baseline measured in the same run (see bench/README.md):
// boot to READY=1 and stop, Burrow vs the exact `burrow command` line run by hand (alternating); what nat
// networking adds to a boot; importing a ~200 MiB tarball vs plain tar under the same mapping; clone,
// snapshot and export vs cp -a and tar of the same tree (bench/lifecycle.ts); supervisor
// memory; time to list machines. Run as the unprivileged user (bench/run.sh arranges it).
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { removeCgroupTree } from '../electron/engine/cgroups';
import { createSandbox, freePort, ok, onPty, BURROW } from '../test/integration/harness';
import { benchLifecycle } from './lifecycle';
import { benchUserNetwork } from './user-network';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** BENCH_ONLY=boot: boot, stop and the nat boot alone (about a minute), for work on the start path. */
const BOOT_ONLY = process.env.BENCH_ONLY === 'boot';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dgram = require('@burrow/unix-dgram') as typeof import('@burrow/unix-dgram');

async function handRun(sb: ReturnType<typeof createSandbox>, name: string): Promise<{ boot: number; stop: number }> {
  const line = ok(sb.burrow(['command', name]));
  const plan = JSON.parse(ok(sb.burrow(['command', name, '--json'])));
  fs.mkdirSync(plan.hostDir, { recursive: true, mode: 0o700 }); // private, as burrow insists
  fs.rmSync(plan.notifySocket, { force: true });
  let readyAt = 0;
  const sock = dgram.bind(plan.notifySocket, (m: Buffer) => m.toString().split('\n').includes('READY=1') && (readyAt ||= performance.now()));
  const t0 = performance.now();
  const run = onPty('/bin/sh', ['-c', line], sb.env);
  while (!readyAt) await new Promise((r) => setTimeout(r, 2));
  const boot = readyAt - t0;
  const procs = (d: string): number[] => [...fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number), ...fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => procs(path.join(d, e.name)))];
  const pid1 = procs(plan.cgroup.dirs[0].hostDir).find((p) => /NSpid:.*\t1$/m.test(fs.readFileSync(`/proc/${p}/status`, 'utf8')))!;
  const s0 = performance.now();
  process.kill(pid1, 37);
  while (run.exitCode === undefined) await new Promise((r) => setTimeout(r, 2));
  const stop = performance.now() - s0;
  sock.close();
  for (const d of plan.cgroup.dirs) for (let i = 0; i < 50 && !removeCgroupTree(d.hostDir); i++) await new Promise((r) => setTimeout(r, 20));
  fs.rmSync(path.dirname(plan.hostDir), { recursive: true, force: true });
  return { boot, stop };
}

function burrowRun(sb: ReturnType<typeof createSandbox>, name: string): { boot: number; stop: number } {
  const t0 = performance.now();
  ok(sb.burrow(['start', name]));
  const boot = performance.now() - t0;
  const s0 = performance.now();
  ok(sb.burrow(['stop', name]));
  return { boot, stop: performance.now() - s0 };
}

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

/** Importing a ~200 MB tarball with Burrow vs plain `tar -xpf` of the same file under the same mapping, alternating. */
function benchImport(sb: ReturnType<typeof createSandbox>) {
  const tarball = path.join(process.env.BURROW_TEST_IMAGES ?? '', 'debian12.tar');
  const mapped = (args: string[]) => execFileSync('unshare', ['--user', '--map-auto', '--map-root-user', '--', ...args]);
  const burrow: number[] = [];
  const tar: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    ok(sb.burrow(['image', 'import', `imp${i}`, tarball]));
    burrow.push(performance.now() - t0);
    ok(sb.burrow(['image', 'rm', `imp${i}`]));
    const dir = path.join(sb.root, `tar${i}`);
    fs.mkdirSync(dir);
    const t1 = performance.now();
    mapped(['tar', '--numeric-owner', '-xpf', tarball, '-C', dir, '--exclude=./dev/*']);
    tar.push(performance.now() - t1);
    mapped(['rm', '-rf', dir]);
  }
  const mb = fs.statSync(tarball).size / 1024 ** 2;
  return { label: `import ${mb.toFixed(0)} MiB tarball (ms)`, burrow: +median(burrow).toFixed(1), floor: +median(tar).toFixed(1), ratio: +(median(burrow) / median(tar)).toFixed(2) };
}

const FLOOD_END = 'BURROW-FLOOD-END';

/** Bytes per second from first byte to the end marker, for one reader. */
function throughput(bytes: number, ms: number) {
  return bytes / 1024 ** 2 / (ms / 1000);
}

/**
 * Console throughput: a flood written to the machine's console, read by a client attached through the
 * supervisor, against the same file read straight from a pty on the host.
 */
async function benchConsole(sb: ReturnType<typeof createSandbox>, rootfs: string, name: string) {
  const line = 'x'.repeat(75);
  const flood = path.join(rootfs, 'root', 'flood.txt');
  const lines = Math.floor((32 * 1024 ** 2) / 76);
  fs.writeFileSync(flood, `${Array.from({ length: lines }, (_, i) => `${String(i).padStart(8, '0')}${line.slice(8)}`).join('\n')}\n${FLOOD_END}\n`);
  const size = fs.statSync(flood).size;
  process.env.XDG_RUNTIME_DIR = sb.env.XDG_RUNTIME_DIR;
  const { ControlClient } = await import('../electron/engine/control-client');

  const viaSupervisor = async (): Promise<number> => {
    let first = 0;
    let got = 0;
    let tail = '';
    let done: () => void;
    let failed: (e: Error) => void;
    const finished = new Promise<void>((resolve, reject) => ((done = resolve), (failed = reject)));
    const client = await ControlClient.connect(name, {
      onData: (d) => {
        first ||= performance.now();
        got += d.length;
        tail = (tail + d.toString('latin1')).slice(-64);
        if (tail.includes(FLOOD_END)) done();
      },
      onClose: () => failed(new Error('the supervisor closed the console before the flood ended')),
    });
    client.send({ op: 'hello', attach: true, replay: false });
    await new Promise((r) => setTimeout(r, 100));
    // Not spawnSync: this process must keep reading while the flood runs (a stalled reader is dropped).
    const writer = spawn(process.execPath, [BURROW, 'shell', name, '--', 'sh', '-c', 'cat /root/flood.txt > /dev/console'], { env: sb.env, stdio: 'ignore' });
    await finished;
    await new Promise((r) => writer.on('exit', r));
    const ms = performance.now() - first;
    client.close();
    return throughput(got, ms);
  };
  const rawPty = async (): Promise<number> => {
    let first = 0;
    let got = 0;
    let tail = '';
    // The shell lingers after cat: node-pty can lose the last bytes of a child that exits at once.
    const run = onPty('/bin/sh', ['-c', `cat '${flood}'; sleep 2`], sb.env);
    await new Promise<void>((resolve) => {
      run.term.onData((d) => {
        first ||= performance.now();
        got += Buffer.byteLength(d);
        tail = (tail + d).slice(-64);
        if (tail.includes(FLOOD_END)) resolve();
      });
    });
    const rate = throughput(got, performance.now() - first);
    run.term.kill();
    return rate;
  };
  const burrow: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    burrow.push(await viaSupervisor());
    floor.push(await rawPty());
  }
  return { label: `console ${(size / 1024 ** 2).toFixed(0)} MiB flood (MiB/s)`, burrow: +median(burrow).toFixed(1), floor: +median(floor).toFixed(1), ratio: +(median(burrow) / median(floor)).toFixed(2) };
}

/**
 * The same flood to the window: from the machine's console to xterm.js in Chromium through the web host,
 * against the same file on a raw pty. Also the longest frame while it runs (the window must stay usable).
 */
async function benchBrowserConsole(sb: ReturnType<typeof createSandbox>, rootfs: string, name: string) {
  const { chromium } = await import('playwright-core');
  const flood = path.join(rootfs, 'root', 'flood.txt');
  const server = spawn(process.execPath, [BURROW, 'serve', '--port', '0', '--no-open'], { env: sb.env, stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out);
      if (m) resolve(m[0]);
    });
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const rates: number[] = [];
    const frames: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(url);
      await page.getByRole('navigation', { name: 'Machines' }).getByRole('button', { name: new RegExp(`^${name} `) }).click();
      await page.getByTestId('terminal-console').locator('.xterm-rows').waitFor();
      await page.waitForTimeout(500); // history replayed
      // A string, not a function: the bundler would rewrite \`performance\` to this process's import.
      await page.evaluate(`(() => {
        window.maxGap = 0;
        let last = performance.now();
        const tick = (t) => { window.maxGap = Math.max(window.maxGap, t - last); last = t; requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
      })()`);
      // A marker of this run only: the console history already holds earlier floods' end markers.
      const end = `BURROW-WINDOW-END-${i}-${Date.now()}`;
      const t0 = performance.now();
      const writer = spawn(process.execPath, [BURROW, 'shell', name, '--', 'sh', '-c', `cat /root/flood.txt > /dev/console && echo ${end} > /dev/console`], { env: sb.env, stdio: 'ignore' });
      const written = new Promise((r) => writer.on('exit', r));
      await page.waitForFunction((marker) => document.querySelector('[data-testid="terminal-console"] .xterm-rows')?.textContent?.includes(marker), end, { polling: 50, timeout: 300_000 });
      rates.push(throughput(fs.statSync(flood).size, performance.now() - t0));
      frames.push((await page.evaluate('window.maxGap')) as number);
      await written;
      await page.close();
    }
    // The baseline, timed the same way (from the start of the writer to the end marker).
    const raw: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) {
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
    return {
      rate: { label: 'console flood to the window (MiB/s)', burrow: +median(rates).toFixed(1), floor: +median(raw).toFixed(1), ratio: +(median(rates) / median(raw)).toFixed(2) },
      longestFrameMs: +Math.max(...frames).toFixed(0),
    };
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
}

function writeResults(results: Record<string, unknown>): void {
  const out = path.join(__dirname, 'results', `bench-${Date.now()}.json`);
  fs.writeFileSync(out, JSON.stringify(results, null, 2));
  console.log(`\nwritten to ${out}`);
}

async function main() {
  const sb = createSandbox('bench');
  const results: Record<string, unknown> = { date: new Date().toISOString(), runs: RUNS };
  try {
    // isolated: the hand-run line configures no network, so both sides boot the same machine.
    const benchRootfs = sb.rootfs('debian12', 'bench');
    ok(sb.burrow(['create', 'bench', '--rootfs', benchRootfs, '--network', 'isolated']));
    // A port nothing listens on now: a fixed one collides with another bench or test on the same host.
    ok(sb.burrow(['create', 'bench-nat', '--rootfs', sb.rootfs('debian12', 'bench-nat'), '-p', `${await freePort()}:80`]));
    burrowRun(sb, 'bench'); // warm the page cache for both
    const b: { boot: number; stop: number }[] = [];
    const h: { boot: number; stop: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      b.push(burrowRun(sb, 'bench'));
      h.push(await handRun(sb, 'bench'));
    }
    // nat: what pasta adds to a boot (PID 1 waits until the network and the forward are up).
    const nat: number[] = [];
    for (let i = 0; i < RUNS; i++) nat.push(burrowRun(sb, 'bench-nat').boot);
    const row = (label: string, burrow: number, floor: number) => ({ label, burrow: +burrow.toFixed(1), floor: +floor.toFixed(1), ratio: +(burrow / floor).toFixed(2) });
    const boot = row('boot to READY (ms)', median(b.map((x) => x.boot)), median(h.map((x) => x.boot)));
    const stop = row('stop to exit (ms)', median(b.map((x) => x.stop)), median(h.map((x) => x.stop)));
    const natBoot = row('boot, nat + 1 forward vs isolated (ms)', median(nat), median(b.map((x) => x.boot)));
    // The peer, measured as root by bench/run.sh where systemd-nspawn exists (not alternated with these runs).
    const nspawnFile = process.env.BENCH_NSPAWN;
    const nspawn = nspawnFile && fs.existsSync(nspawnFile) ? (JSON.parse(fs.readFileSync(nspawnFile, 'utf8')) as { boot: number; stop: number }) : undefined;
    const peers = nspawn
      ? [row('boot vs systemd-nspawn as root (ms)', median(b.map((x) => x.boot)), nspawn.boot), row('stop vs systemd-nspawn as root (ms)', median(b.map((x) => x.stop)), nspawn.stop)]
      : [];
    // User networks: what the first machine on one, and one joining it, add to a nat boot.
    const userNetwork = await benchUserNetwork(sb, RUNS);
    if (BOOT_ONLY) {
      Object.assign(results, { boot, stop, peers, natBoot, userNetwork, bootRuns: b.map((x) => +x.boot.toFixed(1)), floorRuns: h.map((x) => +x.boot.toFixed(1)) });
      console.table([boot, stop, ...peers, natBoot, ...userNetwork.rows]);
      writeResults(results);
      return;
    }
    const imported = benchImport(sb);
    const lifeSandbox = createSandbox('bench-lifecycle');
    const lifecycle = await benchLifecycle(lifeSandbox).finally(() => lifeSandbox.cleanup());
    ok(sb.burrow(['start', 'bench']));
    const consoleRate = await benchConsole(sb, benchRootfs, 'bench');
    const windowConsole = await benchBrowserConsole(sb, benchRootfs, 'bench');
    ok(sb.burrow(['stop', 'bench']));

    // Footprint: 10 idle machines' supervisors, and listing them.
    const names = Array.from({ length: 10 }, (_, i) => `idle${i}`);
    const t0 = performance.now();
    const starts = names.map((n) => {
      ok(sb.burrow(['create', n, '--rootfs', sb.rootfs('debian12', n), '--network', 'isolated']));
      return new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [BURROW, 'start', n], { env: sb.env, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (c) => {
          if (c !== 0) console.error(`start ${n} failed (exit ${c}): ${err.trim()}`);
          resolve(c ?? 1);
        });
      });
    });
    const scaleStart = performance.now();
    const codes = await Promise.all(starts);
    const scale = { machines: names.length, totalMs: +(performance.now() - scaleStart).toFixed(0), failures: codes.filter((c) => c !== 0).length, includingUnpackMs: +(performance.now() - t0).toFixed(0) };
    const statuses = names.map((n) => JSON.parse(ok(sb.burrow(['status', n, '--json']))));
    const sup = statuses.filter((s) => s.supervisorPid).map((s) => rssKb(s.supervisorPid));
    const l0 = performance.now();
    for (let i = 0; i < 5; i++) ok(sb.burrow(['ls']));
    const lsMs = (performance.now() - l0) / 5;
    const v0 = performance.now();
    for (let i = 0; i < 5; i++) execFileSync(process.execPath, ['--version']);
    const nodeMs = (performance.now() - v0) / 5;
    for (const n of names) sb.burrow(['stop', n]);
    Object.assign(results, {
      boot, stop, peers, natBoot, userNetwork, import: imported, lifecycle, console: consoleRate, windowConsole, bootRuns: b.map((x) => +x.boot.toFixed(1)), floorRuns: h.map((x) => +x.boot.toFixed(1)), scale,
      footprint: { supervisorRssKb: median(sup), tenSupervisorsRssKb: sup.reduce((a, x) => a + x, 0), lsTenMs: +lsMs.toFixed(1), nodeStartupMs: +nodeMs.toFixed(1) },
    });
    console.log('\nBurrow benchmarks (median of %d, alternating with the baseline)\n', RUNS);
    console.table([boot, stop, ...peers, natBoot, ...userNetwork.rows, imported, ...lifecycle.rows, consoleRate, windowConsole.rate]);
    console.log(`user network: its holder ${userNetwork.holderRssMiB} MiB resident (one per network with machines on it)`);
    console.log(`lifecycle: a running machine was frozen for ${lifecycle.frozenMs} ms (median) while its changes were copied`);
    if (!peers.length) console.log('peer: systemd-nspawn not measured (it needs root and the systemd-container package; bench/run.sh measures it when run as root)');
    console.log(`window: longest frame while the flood ran ${windowConsole.longestFrameMs} ms (budget 100 ms)`);
    console.log(`scale: ${scale.machines} machines started at once in ${scale.totalMs} ms, ${scale.failures} failures`);
    const ten = (results.footprint as { tenSupervisorsRssKb: number }).tenSupervisorsRssKb;
    console.log(`footprint: one supervisor ${median(sup)} KiB RSS; ten ${ten} KiB`);
    console.log(`listing: burrow ls with 10 machines ${lsMs.toFixed(1)} ms (node --version alone: ${nodeMs.toFixed(1)} ms)`);
    writeResults(results);
  } finally {
    sb.cleanup();
  }
}

let completed = false;
// A promise that never settles would let Node exit quietly with status 0: say so, and fail.
process.on('exit', (code) => {
  if (!completed && code === 0) {
    console.error('bench: ended before it finished (a measurement never completed)');
    process.exitCode = 1;
  }
});
void main().then(() => (completed = true));
