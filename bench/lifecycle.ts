// Clone, snapshot and export of the Debian 12 test machine (image-based, persistent storage), each against
// what a user would do by hand under the same mapping: `cp -a` of the machine's whole tree for clone and
// snapshot, `tar --numeric-owner -c` of the same tree (then fsync'ed, as Burrow's export is) for export.
// Alternating, median of BENCH_RUNS. Runs inside `npm run bench`, or alone: npx tsx bench/lifecycle.ts
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSandbox, imageTar, ok, treeMapArgs, type Sandbox } from '../test/integration/harness';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** As root of the map Burrow's copies run under (your id and the whole subordinate range), with a mount namespace. */
const mapped = (args: string[]) => execFileSync('unshare', [...treeMapArgs(), '--mount', '--', ...args], { stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
const timed = (fn: () => unknown): number => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};
const row = (label: string, burrow: number[], floor: number[]) => ({
  label,
  burrow: +median(burrow).toFixed(1),
  floor: +median(floor).toFixed(1),
  ratio: +(median(burrow) / median(floor)).toFixed(3),
});

/** The machine's whole tree as its overlay shows it, copied or archived by hand under the same mapping. */
function byHand(sb: Sandbox, what: 'cp' | 'tar', target: string): void {
  const data = path.join(sb.env.XDG_DATA_HOME!, 'burrow');
  const stack = JSON.parse(
    fs.existsSync(path.join(data, 'overlays/web/stack.json'))
      ? fs.readFileSync(path.join(data, 'overlays/web/stack.json'), 'utf8')
      : '{"base":null,"layers":{}}',
  );
  const layers: string[] = [];
  for (let id = stack.base; id; id = stack.layers[id].parent) layers.push(path.join(data, 'overlays/web/layers', id));
  const lowers = [path.join(data, 'overlays/web/upper'), ...layers, path.join(data, 'images/deb12/rootfs')].join(':');
  const mnt = fs.mkdtempSync(path.join(sb.root, 'mnt-'));
  const work = what === 'cp' ? `cp -a "$1/." "$2"` : `tar --numeric-owner -cf "$2" -C "$1" . && sync "$2"`;
  mapped(['sh', '-c', `mount -t overlay x -o ro,userxattr,lowerdir=${lowers} "$1" && ${work}`, 'sh', mnt, target]);
  fs.rmdirSync(mnt);
}

/** Boots the machine and leaves `mb` MiB of new files in its upper layer, as a few days of use would. */
function use(sb: Sandbox, mb: number): void {
  ok(sb.burrow(['start', 'web']));
  ok(sb.burrow(['shell', 'web', '--', 'sh', '-c', `mkdir -p /srv/data && head -c ${mb}M /dev/urandom > /srv/data/$(date +%s%N)`]));
  ok(sb.burrow(['stop', 'web']));
}

export async function benchLifecycle(sb: Sandbox) {
  ok(sb.burrow(['image', 'import', 'deb12', imageTar('debian12')]));
  ok(sb.burrow(['create', 'web', '--image', 'deb12', '--network', 'isolated']));
  const out = path.join(sb.root, 'lifecycle');
  fs.mkdirSync(out);
  const rm = (p: string) => mapped(['rm', '-rf', p]);
  const snapStopped: number[] = [];
  const snapRunning: number[] = [];
  const frozen: number[] = [];
  const clone: number[] = [];
  const exp: number[] = [];
  const expInner: number[] = [];
  const cp: number[] = [];
  const tar: number[] = [];
  use(sb, 16);
  for (let i = 0; i < RUNS; i++) {
    // By hand first (it pays for the cold cache, if anyone does), then Burrow.
    cp.push(timed(() => byHand(sb, 'cp', path.join(out, `cp${i}`))));
    rm(path.join(out, `cp${i}`));
    clone.push(timed(() => ok(sb.burrow(['clone', 'web', `c${i}`]))));
    ok(sb.burrow(['rm', `c${i}`]));
    // Which goes first alternates: each then follows the other's removal of a 200 MiB file as often.
    const byTar = () => {
      tar.push(timed(() => byHand(sb, 'tar', path.join(out, `t${i}.tar`))));
      fs.rmSync(path.join(out, `t${i}.tar`));
    };
    const byBurrow = () => {
      exp.push(timed(() => expInner.push(JSON.parse(ok(sb.burrow(['export', 'web', path.join(out, `e${i}.tar`), '--json']))).ms)));
      fs.rmSync(path.join(out, `e${i}.tar`));
    };
    for (const step of i % 2 ? [byBurrow, byTar] : [byTar, byBurrow]) step();
    // A stopped machine's snapshot: its upper layer (16 MiB of new files and a boot's journal) becomes a layer.
    snapStopped.push(timed(() => ok(sb.burrow(['snapshot', 'web']))));
    ok(sb.burrow(['start', 'web']));
    ok(sb.burrow(['shell', 'web', '--', 'sh', '-c', 'head -c 16M /dev/urandom > /srv/running']));
    const t0 = performance.now();
    const r = JSON.parse(ok(sb.burrow(['snapshot', 'web', '--json'])));
    snapRunning.push(performance.now() - t0);
    frozen.push(r.frozenMs);
    ok(sb.burrow(['stop', 'web']));
  }
  // The same with 1 GiB more in the machine: the fixed costs (the CLI's start, setting up) fade.
  ok(sb.burrow(['start', 'web']));
  ok(sb.burrow(['shell', 'web', '--', 'sh', '-c', 'head -c 1024M /dev/urandom > /srv/gigabyte']));
  ok(sb.burrow(['stop', 'web']));
  const bigExp: number[] = [];
  const bigTar: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const byTar = () => {
      bigTar.push(timed(() => byHand(sb, 'tar', path.join(out, `bt${i}.tar`))));
      fs.rmSync(path.join(out, `bt${i}.tar`));
    };
    const byBurrow = () => {
      bigExp.push(timed(() => ok(sb.burrow(['export', 'web', path.join(out, `be${i}.tar`)]))));
      fs.rmSync(path.join(out, `be${i}.tar`));
    };
    for (const step of i % 2 ? [byBurrow, byTar] : [byTar, byBurrow]) step();
  }
  const tree = Number(
    mapped(['du', '-sB1', path.join(sb.env.XDG_DATA_HOME!, 'burrow/images/deb12/rootfs')])
      .toString()
      .split('\t')[0],
  );
  return {
    treeMiB: +(tree / 1024 ** 2).toFixed(0),
    rows: [
      row('snapshot, stopped machine (ms) vs cp -a of its tree', snapStopped, cp),
      row('snapshot, running machine (ms) vs cp -a of its tree', snapRunning, cp),
      row('clone, stopped machine (ms) vs cp -a of its tree', clone, cp),
      row('export to .tar (ms) vs tar --numeric-owner -c + fsync', exp, tar),
      row('  the same, inside burrow (without its CLI start)', expInner, tar),
      row('export with 1 GiB more (ms) vs the same tar', bigExp, bigTar),
    ],
    frozenMs: +median(frozen).toFixed(1),
  };
}

if (require.main === module) {
  const sb = createSandbox('bench-lifecycle');
  benchLifecycle(sb)
    .then((r) => {
      console.log(`\nlifecycle of the Debian 12 test machine (image tree ${r.treeMiB} MiB), median of ${RUNS}, CLI start included\n`);
      console.table(r.rows);
      console.log(`a running machine was frozen for ${r.frozenMs} ms (median) while its changes were copied`);
    })
    .finally(() => sb.cleanup());
}
