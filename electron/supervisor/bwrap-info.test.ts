import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBwrapInfo, whenBwrapInfo } from './bwrap-info';

describe("bwrap's info", () => {
  it("reads PID 1's pid once the text is complete", () => {
    expect(parseBwrapInfo('{\n    "child-pid": 4242,\n    "cgroup-namespace": 4026532,\n    "pid-namespace": 4026533\n}\n')).toBe(4242);
    expect(parseBwrapInfo('{\n    "child-pid": 4242')).toBeUndefined();
    expect(parseBwrapInfo('')).toBeUndefined();
  });

  it('refuses what is not a pid', () => {
    for (const text of ['{"child-pid": 0}', '{"child-pid": -1}', '{"child-pid": "1"}', '{"child-pid": 1.5}', '{"child-pid": 1e300}', 'null', '[1]', '"x"']) {
      expect(parseBwrapInfo(text)).toBeUndefined();
    }
  });

  it('is told of an info file written before the watch began, but never from within the call', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-info-test-'));
    const file = path.join(dir, 'bwrap-info.json');
    fs.writeFileSync(file, '{"child-pid": 99}');
    const told: number[] = [];
    const watch = whenBwrapInfo(file, (pid) => told.push(pid));
    try {
      expect(told).toEqual([]);
      await new Promise((r) => setImmediate(r));
      expect(told).toEqual([99]);
    } finally {
      watch.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is told as soon as bwrap has written it in pieces, and only once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-info-test-'));
    const file = path.join(dir, 'bwrap-info.json');
    const told: number[] = [];
    const watch = whenBwrapInfo(file, (pid) => told.push(pid));
    try {
      const fd = fs.openSync(file, 'w'); // as the launch script's 3> does
      await new Promise((r) => setTimeout(r, 20));
      fs.writeSync(fd, '{\n    "child-pid": 777');
      await new Promise((r) => setTimeout(r, 20));
      expect(told).toEqual([]);
      const t0 = performance.now();
      fs.writeSync(fd, ',\n    "pid-namespace": 1\n}\n');
      fs.closeSync(fd);
      while (!told.length && performance.now() - t0 < 2000) await new Promise((r) => setImmediate(r));
      expect(told).toEqual([777]);
      expect(performance.now() - t0).toBeLessThan(100);
      fs.writeFileSync(file, '{"child-pid": 778}');
      await new Promise((r) => setTimeout(r, 30));
      expect(told).toEqual([777]);
    } finally {
      watch.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
