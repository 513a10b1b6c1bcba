// What the share user's id map costs (bench/README.md, "The id map of shared folders"): entering a user
// namespace through the holder step (newuidmap writes our lines) against `unshare --map-auto`, and a boot of
// the same Debian 12 image under the new map against one under the old map (the image unpacked the old way,
// as machines made before shares have it), both persistent and isolated, alternating, median of BENCH_RUNS.
// Run as the unprivileged test user: npx tsx bench/idmap.ts (scripts/as-test-user.sh arranges it as root).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildIdMap } from '../electron/engine/idmap';
import { userNamespacePrefix } from '../electron/engine/userns';
import { createSandbox, imageTar, ok, subordinateRange } from '../test/integration/harness';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const timed = (fn: () => unknown): number => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};

function enterNamespace(): { holder: number; unshare: number } {
  const range = subordinateRange();
  const map = buildIdMap('auto', { uid: process.getuid!(), gid: process.getgid!() }, { uid: range, gid: range }, { uid: 1000, gid: 1000 });
  const [file, ...prefix] = userNamespacePrefix(map, { unshare: 'unshare' });
  const holder: number[] = [];
  const unshare: number[] = [];
  for (let i = 0; i < RUNS * 3; i++) {
    holder.push(timed(() => execFileSync(file!, [...prefix, 'true'])));
    unshare.push(timed(() => execFileSync('unshare', ['--user', '--map-auto', '--map-root-user', '--', 'true'])));
  }
  return { holder: median(holder), unshare: median(unshare) };
}

function boots(): Record<'new' | 'old', { start: number; ready: number }> {
  const sb = createSandbox('bench-idmap');
  try {
    ok(sb.burrow(['image', 'import', 'new', imageTar('debian12')]));
    // The old way: unpacked under unshare --map-auto --map-root-user, recorded without a share user.
    const old = path.join(sb.env.XDG_DATA_HOME!, 'burrow/images/old');
    fs.mkdirSync(path.join(old, 'rootfs'), { recursive: true });
    execFileSync('unshare', [
      '--user',
      '--map-auto',
      '--map-root-user',
      '--',
      'tar',
      '--numeric-owner',
      '-xpf',
      imageTar('debian12'),
      '-C',
      path.join(old, 'rootfs'),
      '--exclude=./dev/*',
    ]);
    const record = JSON.parse(fs.readFileSync(path.join(sb.env.XDG_DATA_HOME!, 'burrow/images/new/image.json'), 'utf8'));
    delete record.user;
    fs.writeFileSync(path.join(old, 'image.json'), JSON.stringify({ ...record, name: 'old', rootfs: path.join(old, 'rootfs') }));
    const runs: Record<'new' | 'old', { start: number[]; ready: number[] }> = { new: { start: [], ready: [] }, old: { start: [], ready: [] } };
    for (const m of ['new', 'old'] as const) ok(sb.burrow(['create', m, '--image', m, '--network', 'isolated']));
    for (let i = 0; i <= RUNS; i++) {
      for (const m of ['new', 'old'] as const) {
        const start = timed(() => ok(sb.burrow(['start', m])));
        const ready = JSON.parse(ok(sb.burrow(['status', m, '--json']))).bootMs as number;
        ok(sb.burrow(['stop', m]));
        if (i === 0) continue; // a warm-up round
        runs[m].start.push(start);
        runs[m].ready.push(ready);
      }
    }
    const of = (m: 'new' | 'old') => ({ start: median(runs[m].start), ready: median(runs[m].ready) });
    return { new: of('new'), old: of('old') };
  } finally {
    sb.cleanup();
  }
}

const ns = enterNamespace();
const b = boots();
console.log(JSON.stringify({ runs: RUNS, namespace: ns, boot: b }, null, 2));
console.log(`enter a user namespace: holder step ${ns.holder.toFixed(1)} ms, unshare --map-auto ${ns.unshare.toFixed(1)} ms`);
for (const m of ['new', 'old'] as const) console.log(`boot, ${m} map: burrow start ${b[m].start.toFixed(0)} ms, READY after ${b[m].ready.toFixed(0)} ms`);
