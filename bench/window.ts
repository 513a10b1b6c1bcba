// The window's figures (issue 15): boot and stop asked of the web host as the window asks them, against
// the hand-run line; what an idle web host costs with 10 machines and 3 windows open; and what each
// running machine costs in memory, as PSS (shared pages counted once across processes, not per process).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { BURROW, ok, type Sandbox } from '../test/integration/harness';
import { handRun, median, row, sleep } from './hand-run';
import { connectApi, startServe } from './web-host';

/** Boot (machines.start until it answers: READY=1 and the failed-units check) and stop, alternating with the hand-run line. */
export async function benchWindowBootStop(sb: Sandbox, name: string, runs: number) {
  const serve = await startServe(sb);
  const api = await connectApi(serve);
  try {
    await api.call('machines.list');
    await api.call('machines.start', name); // warm-up
    await api.call('machines.stop', name);
    const burrow: { boot: number; stop: number; beforeSupervisor: number; afterReady: number; launchToReady: number }[] = [];
    const hand: { boot: number; stop: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const called = Date.now();
      const up = await api.call<{ state: string; startedAt?: string; readyAt?: string; bootMs?: number }>('machines.start', name);
      const boot = performance.now() - t0;
      const answered = Date.now();
      if (up.state !== 'running' && up.state !== 'degraded') throw new Error(`${name} did not come up from the web host: ${JSON.stringify(up)}`);
      const s0 = performance.now();
      await api.call('machines.stop', name);
      // Where the time went: until the supervisor began (planning, handing over), and from READY=1 until the
      // answer (the failed-units check, the record, the status event, the reply).
      const beforeSupervisor = Date.parse(up.startedAt!) - called;
      const afterReady = answered - Date.parse(up.readyAt!);
      burrow.push({ boot, stop: performance.now() - s0, beforeSupervisor, afterReady, launchToReady: up.bootMs ?? NaN });
      hand.push(await handRun(sb, name));
    }
    return {
      boot: row('boot from the web host (ms)', median(burrow.map((x) => x.boot)), median(hand.map((x) => x.boot))),
      stop: row('stop from the web host (ms)', median(burrow.map((x) => x.stop)), median(hand.map((x) => x.stop))),
      beforeSupervisorMs: median(burrow.map((x) => x.beforeSupervisor)),
      afterReadyMs: median(burrow.map((x) => x.afterReady)),
      /** The supervisor's own boot time: from spawning the launch line on its pty to READY=1 (the hand-run line's figure). */
      launchToReadyMs: median(burrow.map((x) => x.launchToReady)),
      runs: { burrow, hand },
    };
  } finally {
    api.close();
    await serve.close();
  }
}

/**
 * CPU of an idle web host with the machines running and `windows` API connections open, each having
 * listed the machines as the page does on opening. `cli`: another build's cli.js, for the same figure of
 * that build in the same run.
 */
export async function benchIdleHost(sb: Sandbox, seconds: number, windows = 3, cli?: string) {
  const serve = await startServe(sb, cli);
  const apis = await Promise.all(Array.from({ length: windows }, () => connectApi(serve)));
  try {
    for (const api of apis) await api.call('machines.list');
    await sleep(3000); // settled: connections made, first reads done
    const c0 = serve.cpuSeconds();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const cpu = serve.cpuSeconds() - c0;
    const wall = (performance.now() - t0) / 1000;
    return {
      cpuSecondsPerMinute: +((cpu / wall) * 60).toFixed(3),
      percentOfCore: +((cpu / wall) * 100).toFixed(2),
      eventsSent: apis.reduce((n, a) => n + a.events.length, 0),
    };
  } finally {
    apis.forEach((a) => a.close());
    await serve.close();
  }
}

/** Proportional set size and private memory of one process, in KiB (smaps_rollup). */
export function pss(pid: number): { pssKb: number; privateKb: number; rssKb: number } {
  const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { pssKb: field('Pss'), privateKb: field('Private_Clean') + field('Private_Dirty'), rssKb: field('Rss') };
}

/** The bwrap process that watches over PID 1 (outside the machine): a child of the supervisor's launch. */
function bwrapMonitor(supervisorPid: number): number | undefined {
  const children = (pid: number): number[] => {
    try {
      return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  return children(supervisorPid).find((c) => fs.readFileSync(`/proc/${c}/comm`, 'utf8').trim() === 'bwrap');
}

/** What each running machine costs the host in Burrow's own processes: its supervisor and bwrap's monitor. */
export function machineMemory(supervisorPids: number[]) {
  const sup = supervisorPids.map(pss);
  const mon = supervisorPids
    .map(bwrapMonitor)
    .filter((p): p is number => !!p)
    .map(pss);
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length / 1024 : 0);
  return {
    machines: supervisorPids.length,
    supervisorPssMiB: +avg(sup.map((s) => s.pssKb)).toFixed(1),
    supervisorPrivateMiB: +avg(sup.map((s) => s.privateKb)).toFixed(1),
    supervisorRssMiB: +avg(sup.map((s) => s.rssKb)).toFixed(1),
    bwrapMonitorPssMiB: +avg(mon.map((s) => s.pssKb)).toFixed(1),
    perMachinePssMiB: +(avg(sup.map((s) => s.pssKb)) + avg(mon.map((s) => s.pssKb))).toFixed(1),
  };
}

/** Creates and starts `names` at once (isolated Debian 12 machines), each with `burrow start`; failures are counted, not thrown. */
export async function startMany(sb: Sandbox, names: string[]) {
  const t0 = performance.now();
  for (const n of names) ok(sb.burrow(['create', n, '--rootfs', sb.rootfs('debian12', n), '--network', 'isolated']));
  const scaleStart = performance.now();
  const codes = await Promise.all(
    names.map(
      (n) =>
        new Promise<number>((resolve) => {
          const child = spawn(process.execPath, [BURROW, 'start', n], { env: sb.env, stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
          child.on('exit', (c) => {
            if (c !== 0) console.error(`start ${n} failed (exit ${c}): ${err.trim()}`);
            resolve(c ?? 1);
          });
        }),
    ),
  );
  return {
    machines: names.length,
    totalMs: +(performance.now() - scaleStart).toFixed(0),
    failures: codes.filter((c) => c !== 0).length,
    includingUnpackMs: +(performance.now() - t0).toFixed(0),
  };
}
