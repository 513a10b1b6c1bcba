// The supervisor starts on every boot and the preload in every window: neither may pull in zod (about
// 40 ms of start-up) or anything else heavy. Checked on the real import graph, as esbuild bundles it.
import { buildSync } from 'esbuild';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

function bundledInputs(entry: string, platform: 'node' | 'browser'): string[] {
  const r = buildSync({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    write: false,
    platform,
    metafile: true,
    external: ['electron', 'node-pty', '@burrow/unix-dgram'],
    logLevel: 'silent',
    outdir: '/tmp/burrow-bundle-test',
  });
  return Object.keys(r.metafile!.inputs);
}

describe('start-up weight', () => {
  it('keeps zod out of the supervisor', () => {
    const inputs = bundledInputs('electron/supervisor/supervisor-main.ts', 'node');
    expect(inputs.filter((i) => i.includes('node_modules/zod'))).toEqual([]);
    expect(inputs.filter((i) => i.includes('node_modules'))).toEqual([]);
  });

  it('keeps the network holder small: it starts with the first machine on a network', () => {
    const inputs = bundledInputs('electron/supervisor/network-holder-main.ts', 'node');
    expect(inputs.filter((i) => i.includes('node_modules'))).toEqual([]);
    expect(inputs.filter((i) => /profile|launch-plan|machine-start/.test(i))).toEqual([]);
  });

  it('keeps the preload to our own few lines', () => {
    const inputs = bundledInputs('electron/preload/preload.ts', 'browser');
    expect(inputs.every((i) => !i.includes('node_modules'))).toBe(true);
    expect(inputs.length).toBeLessThanOrEqual(3);
  });
});
