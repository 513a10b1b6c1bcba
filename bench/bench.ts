// Benchmarks, each against a baseline measured in the same run (see bench/README.md):
// boot to READY=1 and stop, Burrow vs the exact `burrow command` line run by hand (alternating); what nat
// networking adds to a boot; importing a ~200 MiB tarball vs plain tar under the same mapping; clone,
// snapshot and export vs cp -a and tar of the same tree (bench/lifecycle.ts); supervisor
// memory; time to list machines. Run as the unprivileged user (bench/run.sh arranges it).
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { asImageRoot, asMappedRoot, createSandbox, freePort, ok, onPty, BURROW } from '../test/integration/harness';
import { handRun, median, row } from './hand-run';
import { benchLifecycle } from './lifecycle';
import { benchUserNetwork } from './user-network';
import { benchIdleHost, benchWindowBootStop, machineMemory, startMany } from './window';
import { benchBrowserConsole, FLOOD_END, throughput, writeFlood } from './window-console';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** BENCH_ONLY=boot: boot, stop and the nat boot alone (about a minute), for work on the start path. */
const BOOT_ONLY = process.env.BENCH_ONLY === 'boot';
/** Seconds the idle web host is watched (CPU per minute is scaled from it). */
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
/** Another build's cli.js (say, main's), measured in the same run as the idle web host's baseline. */
const BASE_CLI = process.env.BENCH_BASE_CLI;

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

/** Importing a ~200 MB tarball with Burrow vs plain `tar -xpf` of the same file under the same map (the image's), alternating. */
function benchImport(sb: ReturnType<typeof createSandbox>) {
  const tarball = path.join(process.env.BURROW_TEST_IMAGES ?? '', 'debian12.tar');
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
    asImageRoot(['tar', '--numeric-owner', '-xpf', tarball, '-C', dir, '--exclude=./dev/*']);
    tar.push(performance.now() - t1);
    asMappedRoot(['rm', '-rf', dir]);
  }
  const mb = fs.statSync(tarball).size / 1024 ** 2;
  return {
    label: `import ${mb.toFixed(0)} MiB tarball (ms)`,
    burrow: +median(burrow).toFixed(1),
    floor: +median(tar).toFixed(1),
    ratio: +(median(burrow) / median(tar)).toFixed(2),
  };
}

/**
 * Console throughput: a flood written to the machine's console, read by a client attached through the
 * supervisor, against the same file read straight from a pty on the host.
 */
async function benchConsole(sb: ReturnType<typeof createSandbox>, rootfs: string, name: string) {
  const flood = writeFlood(rootfs);
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
  return {
    label: `console ${(size / 1024 ** 2).toFixed(0)} MiB flood (MiB/s)`,
    burrow: +median(burrow).toFixed(1),
    floor: +median(floor).toFixed(1),
    ratio: +(median(burrow) / median(floor)).toFixed(2),
  };
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
    const boot = row('boot to READY (ms)', median(b.map((x) => x.boot)), median(h.map((x) => x.boot)));
    const stop = row('stop to exit (ms)', median(b.map((x) => x.stop)), median(h.map((x) => x.stop)));
    const natBoot = row('boot, nat + 1 forward vs isolated (ms)', median(nat), median(b.map((x) => x.boot)));
    // The peer, measured as root by bench/run.sh where systemd-nspawn exists (not alternated with these runs).
    const nspawnFile = process.env.BENCH_NSPAWN;
    const nspawn = nspawnFile && fs.existsSync(nspawnFile) ? (JSON.parse(fs.readFileSync(nspawnFile, 'utf8')) as { boot: number; stop: number }) : undefined;
    const peers = nspawn
      ? [
          row('boot vs systemd-nspawn as root (ms)', median(b.map((x) => x.boot)), nspawn.boot),
          row('stop vs systemd-nspawn as root (ms)', median(b.map((x) => x.stop)), nspawn.stop),
        ]
      : [];
    // User networks: what the first machine on one, and one joining it, add to a nat boot.
    const userNetwork = await benchUserNetwork(sb, RUNS);
    if (BOOT_ONLY) {
      Object.assign(results, {
        boot,
        stop,
        peers,
        natBoot,
        userNetwork,
        bootRuns: b.map((x) => +x.boot.toFixed(1)),
        floorRuns: h.map((x) => +x.boot.toFixed(1)),
      });
      console.table([boot, stop, ...peers, natBoot, ...userNetwork.rows]);
      writeResults(results);
      return;
    }
    // From the window: the web host is a running process, as the Electron main process is.
    const fromWindow = await benchWindowBootStop(sb, 'bench', RUNS);
    const imported = benchImport(sb);
    const lifeSandbox = createSandbox('bench-lifecycle');
    const lifecycle = await benchLifecycle(lifeSandbox).finally(() => lifeSandbox.cleanup());
    ok(sb.burrow(['start', 'bench']));
    const consoleRate = await benchConsole(sb, benchRootfs, 'bench');
    const windowConsole = await benchBrowserConsole(sb, benchRootfs, 'bench', RUNS);
    ok(sb.burrow(['stop', 'bench']));

    // Footprint: 10 idle machines' supervisors, and listing them.
    const names = Array.from({ length: 10 }, (_, i) => `idle${i}`);
    const scale = await startMany(sb, names);
    const statuses = names.map((n) => JSON.parse(ok(sb.burrow(['status', n, '--json']))));
    const supervisorPids = statuses.filter((s) => s.supervisorPid).map((s) => s.supervisorPid as number);
    const sup = supervisorPids.map(rssKb);
    const memory = machineMemory(supervisorPids);
    // An idle web host with these 10 machines and 3 windows: CPU seconds per minute (budget: under 1% of a core).
    const idleHost = await benchIdleHost(sb, IDLE_SECONDS);
    const idleHostBase = BASE_CLI ? await benchIdleHost(sb, IDLE_SECONDS, 3, BASE_CLI) : undefined;
    const l0 = performance.now();
    for (let i = 0; i < 5; i++) ok(sb.burrow(['ls']));
    const lsMs = (performance.now() - l0) / 5;
    const v0 = performance.now();
    for (let i = 0; i < 5; i++) execFileSync(process.execPath, ['--version']);
    const nodeMs = (performance.now() - v0) / 5;
    for (const n of names) sb.burrow(['stop', n]);
    Object.assign(results, {
      boot,
      stop,
      fromWindow: { boot: fromWindow.boot, stop: fromWindow.stop, runs: fromWindow.runs },
      memory,
      idleHost,
      idleHostBase,
      peers,
      natBoot,
      userNetwork,
      import: imported,
      lifecycle,
      console: consoleRate,
      windowConsole,
      bootRuns: b.map((x) => +x.boot.toFixed(1)),
      floorRuns: h.map((x) => +x.boot.toFixed(1)),
      scale,
      footprint: {
        supervisorRssKb: median(sup),
        tenSupervisorsRssKb: sup.reduce((a, x) => a + x, 0),
        lsTenMs: +lsMs.toFixed(1),
        nodeStartupMs: +nodeMs.toFixed(1),
      },
    });
    console.log('\nBurrow benchmarks (median of %d, alternating with the baseline)\n', RUNS);
    console.table([
      boot,
      stop,
      fromWindow.boot,
      fromWindow.stop,
      ...peers,
      natBoot,
      ...userNetwork.rows,
      imported,
      ...lifecycle.rows,
      consoleRate,
      ...windowConsole.rows,
    ]);
    console.log(`user network: its holder ${userNetwork.holderRssMiB} MiB resident (one per network with machines on it)`);
    console.log(`lifecycle: a running machine was frozen for ${lifecycle.frozenMs} ms (median) while its changes were copied`);
    const supervisor = `${memory.supervisorPssMiB} MiB PSS, ${memory.supervisorPrivateMiB} MiB private, ${memory.supervisorRssMiB} MiB RSS`;
    console.log(
      `memory: ${memory.machines} machines running, per machine ${memory.perMachinePssMiB} MiB PSS ` +
        `(supervisor ${supervisor}; bwrap's monitor ${memory.bwrapMonitorPssMiB} MiB PSS)`,
    );
    const base = idleHostBase ? `; ${BASE_CLI}: ${idleHostBase.cpuSecondsPerMinute} CPU s/min (${idleHostBase.percentOfCore}%)` : '';
    console.log(`idle web host, 10 machines, 3 windows: ${idleHost.cpuSecondsPerMinute} CPU s/min (${idleHost.percentOfCore}% of a core)${base}`);
    if (!peers.length)
      console.log('peer: systemd-nspawn not measured (it needs root and the systemd-container package; bench/run.sh measures it when run as root)');
    const frameNotes = windowConsole.notes.length ? `; ${windowConsole.notes.join('; ')}` : '';
    console.log(`window: longest frame while the flood ran ${JSON.stringify(windowConsole.longestFrameMs)} ms (budget 100 ms)${frameNotes}`);
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
