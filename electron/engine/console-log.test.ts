import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONSOLE_LOG_PART, ConsoleLogWriter, readConsoleLog } from './console-log';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-console-log-'));
  file = path.join(dir, 'console.log');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the console log', () => {
  it('is on disk within a flush of the console printing, without any end (a killed supervisor has none)', async () => {
    const log = new ConsoleLogWriter(file);
    log.append(Buffer.from('Welcome to Debian\r\n'));
    expect(readConsoleLog(file).toString()).toBe('');
    await new Promise((r) => setTimeout(r, 250));
    expect(readConsoleLog(file).toString()).toBe('Welcome to Debian\r\n');
    log.dispose();
  });

  it('keeps the newest one to two parts of a flood, and replaces what the last boot left', () => {
    fs.writeFileSync(`${file}.1`, 'the boot before');
    const log = new ConsoleLogWriter(file);
    const line = Buffer.from('x'.repeat(1023) + '\n');
    for (let i = 0; i < 3 * 1024; i++) log.append(line); // 3 MiB
    log.append(Buffer.from('the end\n'));
    log.dispose();
    const all = readConsoleLog(file);
    expect(all.length).toBeGreaterThanOrEqual(CONSOLE_LOG_PART);
    expect(all.length).toBeLessThanOrEqual(2 * CONSOLE_LOG_PART);
    expect(all.toString().endsWith('x\nthe end\n')).toBe(true);
    expect(all.toString()).not.toContain('the boot before');
    expect(readConsoleLog(file, 100).toString()).toMatch(/x\nthe end\n$/);
    expect(readConsoleLog(file, 100).length).toBe(100);
  });

  it('never writes through a link planted in its place, and reads only a plain file', () => {
    const elsewhere = path.join(dir, 'elsewhere');
    fs.writeFileSync(elsewhere, 'precious');
    fs.symlinkSync(elsewhere, file);
    const log = new ConsoleLogWriter(file);
    log.append(Buffer.from('console output'));
    log.dispose();
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe('precious');
    expect(readConsoleLog(file).toString()).toBe(''); // the link is not followed when read either
    fs.rmSync(file);
    execFileSync('mkfifo', [file]);
    expect(readConsoleLog(file).toString()).toBe(''); // a FIFO neither blocks nor counts
  });
});
