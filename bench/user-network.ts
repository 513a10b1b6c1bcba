// What a user network adds to a boot (electron/engine/user-network.ts), alternating, `burrow start` until
// it returns: a nat machine on no user network (--network-name none: the path every nat machine took
// before user networks), the first machine on a network (its holder and keeper start with it: what a lone
// machine on the default network pays when nothing else runs), and a machine joining a network another
// machine is on. Also the holder's memory. Run by bench/bench.ts, or alone: npx tsx bench/user-network.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSandbox, freePort, ok, type Sandbox } from '../test/integration/harness';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

function startStop(sb: Sandbox, name: string): number {
  const t0 = performance.now();
  ok(sb.burrow(['start', name]));
  const boot = performance.now() - t0;
  ok(sb.burrow(['stop', name]));
  return boot;
}

export interface UserNetworkRows {
  rows: { label: string; burrow: number; floor: number; ratio: number }[];
  holderRssMiB: number;
}

export async function benchUserNetwork(sb: Sandbox, runs: number): Promise<UserNetworkRows> {
  const port = await freePort();
  ok(sb.burrow(['create', 'un-boot', '--rootfs', sb.rootfs('debian12', 'un-boot'), '-p', `${port}:80`]));
  ok(sb.burrow(['create', 'un-peer', '--rootfs', sb.rootfs('debian12', 'un-peer'), '--network-name', 'shared']));
  const edit = (network: string) => ok(sb.burrow(['edit', 'un-boot', '--network-name', network]));
  edit('none');
  startStop(sb, 'un-boot'); // warm the page cache
  const none: number[] = [];
  const first: number[] = [];
  const join: number[] = [];
  for (let i = 0; i < runs; i++) {
    edit('none');
    none.push(startStop(sb, 'un-boot'));
    // A network nothing is on yet: its holder starts with this machine.
    edit(`fresh${i}`);
    first.push(startStop(sb, 'un-boot'));
    edit('shared');
    ok(sb.burrow(['start', 'un-peer']));
    join.push(startStop(sb, 'un-boot'));
    ok(sb.burrow(['stop', 'un-peer']));
  }
  ok(sb.burrow(['start', 'un-peer']));
  const claim = path.join(sb.env.XDG_RUNTIME_DIR!, 'burrow', '.networks', 'shared', 'holder.starting');
  const holderRssMiB = +rssMiB(Number(fs.readFileSync(claim, 'utf8').split(' ')[0])).toFixed(1);
  ok(sb.burrow(['stop', 'un-peer']));
  const row = (label: string, burrow: number[], floor: number[]) => ({
    label,
    burrow: +median(burrow).toFixed(1),
    floor: +median(floor).toFixed(1),
    ratio: +(median(burrow) / median(floor)).toFixed(2),
  });
  return {
    rows: [row('boot, nat: first on a network vs on none (ms)', first, none), row('boot, nat: joining a network vs on none (ms)', join, none)],
    holderRssMiB,
  };
}

if (require.main === module) {
  const sb = createSandbox('bench-usernet');
  benchUserNetwork(sb, Number(process.env.BENCH_RUNS ?? 5))
    .then((r) => {
      console.table(r.rows);
      console.log(`holder of a network: ${r.holderRssMiB} MiB resident`);
    })
    .finally(() => sb.cleanup());
}
