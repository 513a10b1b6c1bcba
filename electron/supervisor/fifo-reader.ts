// What a helper writes to a path the supervisor gives it (bwrap's --info-fd, pasta's --pid), read through
// a FIFO at that path: the text arrives as data on a pipe, when it is written. Not inotify on the folder:
// a process keeps its inotify instance for life once it has watched anything, and the user's instances
// (128 by default) are what limits how many machines run at once (README: systemd holds 8-12 of them).
// The FIFO is removed once read (or given up on): anyone opening it later would wait for a writer forever.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Disposable } from '../engine/disposable';

/** What the helpers write is a few hundred bytes; more than this is not theirs. */
const MAX_BYTES = 64 * 1024;

/** The FIFO at `file`, made if it is not one yet (Node has no mkfifo). */
export function ensureFifo(file: string): void {
  try {
    if (fs.lstatSync(file).isFIFO()) return;
  } catch {
    /* not there */
  }
  fs.rmSync(file, { force: true });
  execFileSync('mkfifo', ['-m', '600', '--', file], { stdio: 'ignore' });
}

function removeFifo(file: string): void {
  try {
    if (fs.lstatSync(file).isFIFO()) fs.unlinkSync(file);
  } catch {
    /* gone already */
  }
}

/**
 * Opens the FIFO at `file` (made if need be) and calls `onText` with everything read so far each time more
 * arrives, until it returns true. Open it before the writer starts: the writer's open then finds a reader.
 */
export function readFifo(file: string, onText: (text: string) => boolean): Disposable {
  ensureFifo(file);
  // Read and write: the FIFO never reads as ended while no writer has it open yet.
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const pipe = new net.Socket({ fd, readable: true, writable: false });
  let text = '';
  let done = false;
  const end = () => {
    if (done) return;
    done = true;
    pipe.destroy();
    removeFifo(file);
  };
  pipe.on('error', () => undefined);
  pipe.on('data', (chunk: Buffer) => {
    if (done) return;
    text += chunk.toString('utf8');
    if (text.length > MAX_BYTES || onText(text)) end();
  });
  return { dispose: end };
}
