import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createSandbox, ok } from '../test/integration/harness';
import { median, sleep } from './hand-run';

async function main() {
  const sb = createSandbox('hc');
  try {
    ok(sb.burrow(['create', 'bench', '--rootfs', sb.rootfs('debian12', 'bench'), '--network', 'isolated']));
    ok(sb.burrow(['start', 'bench']));
    Object.assign(process.env, sb.env);
    const rs = await import('../electron/engine/runtime-state');
    const exec = await import('../electron/engine/exec');
    const rec = rs.readRecord('bench')!;
    const target = { pid1: rec.pid1!, single: false, cgroupDirs: rec.cgroupDirs ?? [] };
    const full: number[] = [], truth: number[] = [], pre: number[] = [];
    const LIST = ['systemctl', 'list-units', '--state=failed', '--plain', '--no-legend', '--no-pager'];
    for (let i = 0; i < 9; i++) {
      let t = performance.now(); await exec.execCapture(target, LIST, 5000); full.push(performance.now() - t);
      t = performance.now(); await exec.execCapture(target, ['true'], 5000); truth.push(performance.now() - t);
      const argv = exec.nsenterArgv(target, ['/bin/sh', '-c', `read -r _ || exit 0; exec ${LIST.join(' ')}`]);
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'], env: exec.guestEnv() });
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      await sleep(300);
      t = performance.now();
      child.stdin!.end('\n');
      await new Promise((r) => child.on('exit', r));
      pre.push(performance.now() - t);
    }
    console.log({ fullCheck: median(full).toFixed(1), nsenterTrue: median(truth).toFixed(1), prepared: median(pre).toFixed(1) });
    ok(sb.burrow(['stop', 'bench']));
  } finally {
    sb.cleanup();
  }
}
void main();
