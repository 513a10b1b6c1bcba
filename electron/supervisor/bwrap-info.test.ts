import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBwrapInfo, whenBwrapInfo } from './bwrap-info';
import { readFifo } from './fifo-reader';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const temp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-info-test-'));
  dirs.push(d);
  return d;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

  it('arrives through a FIFO as bwrap writes it, in pieces, and is told once', async () => {
    const file = path.join(temp(), 'bwrap-info.fifo');
    const told: number[] = [];
    const reader = whenBwrapInfo(file, (pid) => told.push(pid));
    try {
      expect(fs.lstatSync(file).isFIFO()).toBe(true);
      const fd = fs.openSync(file, 'w'); // the launch script's 3>: a reader is there, so it does not block
      fs.writeSync(fd, '{\n    "child-pid": 777');
      await sleep(30);
      expect(told).toEqual([]);
      const t0 = performance.now();
      fs.writeSync(fd, ',\n    "pid-namespace": 1\n}\n');
      fs.closeSync(fd);
      while (!told.length && performance.now() - t0 < 2000) await new Promise((r) => setImmediate(r));
      expect(told).toEqual([777]);
      expect(performance.now() - t0).toBeLessThan(100);
      expect(fs.existsSync(file)).toBe(false); // a FIFO left behind would hang whoever opened it next
    } finally {
      reader.dispose();
    }
  });
});

describe('a FIFO read for a helper', () => {
  it('replaces a file or a link planted at its path, without touching what the link points at', () => {
    const dir = temp();
    const target = path.join(dir, 'precious');
    fs.writeFileSync(target, 'keep');
    const file = path.join(dir, 'info');
    fs.symlinkSync(target, file);
    const reader = readFifo(file, () => true);
    expect(fs.lstatSync(file).isFIFO()).toBe(true);
    reader.dispose();
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep');
  });

  it('gives up on a flood of garbage without reading it all', async () => {
    const file = path.join(temp(), 'info');
    let calls = 0;
    const reader = readFifo(file, () => (calls++, false));
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    let written = 0;
    try {
      for (let i = 0; i < 64; i++) {
        try {
          written += fs.writeSync(fd, Buffer.alloc(4096, 0x7b));
        } catch {
          await sleep(5); // the pipe is full: the reader either drains it or has stopped reading
        }
      }
      await sleep(50);
      const afterStop = calls;
      for (let i = 0; i < 16; i++) {
        try {
          written += fs.writeSync(fd, Buffer.alloc(4096, 0x7b));
        } catch {
          break; // nobody reads any more: the pipe fills up
        }
      }
      await sleep(50);
      expect(written).toBeGreaterThan(64 * 1024);
      expect(calls).toBe(afterStop);
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      fs.closeSync(fd);
      reader.dispose();
    }
  });
});
