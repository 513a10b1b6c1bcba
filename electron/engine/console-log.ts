// The console of a machine's last boot, kept in its runtime folder so that it can be read after the machine
// stopped, crashed, or lost its supervisor (killed: nothing runs at its end, so the log is written as the
// console prints, not at exit). Two files: console.log, and console.log.1 once the first passes
// CONSOLE_LOG_PART: between one and two parts of the latest output are kept, about what the supervisor
// replays to a client that attaches (its history keeps 1 MiB). A boot of Debian 12 prints about 12 KiB;
// a flood inside costs appends to a file in the runtime folder (tmpfs on a desktop), bounded by the
// rotation. The files last until the machine's next start replaces them, its removal, or the end of the
// user's session (XDG_RUNTIME_DIR is emptied at logout): the machine's own journal is what outlives that.
import * as fs from 'node:fs';
import type { Disposable } from './disposable';

/** Bytes per file; the newest CONSOLE_LOG_PART to 2 × CONSOLE_LOG_PART are kept. */
export const CONSOLE_LOG_PART = 512 * 1024;
/** Output is appended at most this often (and at once past FLUSH_BYTES): a killed supervisor loses less than this. */
const FLUSH_MS = 100;
const FLUSH_BYTES = 64 * 1024;

const older = (file: string) => `${file}.1`;

/** Appends the console to `file` as it prints, batched, rotating at CONSOLE_LOG_PART. */
export class ConsoleLogWriter implements Disposable {
  private fd: number | undefined;
  private size = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private timer?: NodeJS.Timeout;
  private failed = false;

  /** Starts a new log: what a previous boot left is replaced. */
  constructor(private readonly file: string) {
    fs.rmSync(older(file), { force: true });
    this.open('w');
  }

  private open(flags: 'w' | 'a'): void {
    try {
      // O_NOFOLLOW: the runtime folder is checked to be ours, but a link there is never written through.
      const mode = (flags === 'w' ? fs.constants.O_TRUNC : fs.constants.O_APPEND) | fs.constants.O_CREAT | fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW;
      this.fd = fs.openSync(this.file, mode, 0o600);
      this.size = fs.fstatSync(this.fd).size;
    } catch {
      this.failed = true; // a full or missing runtime folder: the console goes on, unrecorded
    }
  }

  append(chunk: Buffer): void {
    if (this.failed || !chunk.length) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Writes what is pending now (also called at the machine's end, before the supervisor exits). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd === undefined || !this.pending.length) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    try {
      if (this.size > 0 && this.size + data.length > CONSOLE_LOG_PART) this.rotate();
      fs.writeSync(this.fd, data.length > CONSOLE_LOG_PART ? data.subarray(data.length - CONSOLE_LOG_PART) : data);
      this.size += Math.min(data.length, CONSOLE_LOG_PART);
    } catch {
      this.failed = true;
    }
  }

  private rotate(): void {
    fs.closeSync(this.fd!);
    fs.renameSync(this.file, older(this.file));
    this.fd = undefined;
    this.open('w');
  }

  dispose(): void {
    this.flush();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    this.failed = true;
  }
}

/** Reads a file that must be a plain file of ours; empty when it is missing or anything else. */
function readPlain(file: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return Buffer.alloc(0);
    const length = Math.min(st.size, maxBytes);
    const buf = Buffer.alloc(length);
    const read = fs.readSync(fd, buf, 0, length, st.size - length);
    return buf.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

/** The last `maxBytes` of the console log (both files, oldest first). */
export function readConsoleLog(file: string, maxBytes = 2 * CONSOLE_LOG_PART): Buffer {
  const newest = readPlain(file, maxBytes);
  const before = newest.length < maxBytes ? readPlain(older(file), maxBytes - newest.length) : Buffer.alloc(0);
  return Buffer.concat([before, newest]);
}
