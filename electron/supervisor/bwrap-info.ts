// bwrap writes {"child-pid": N, "<ns>-namespace": …} to its --info-fd once PID 1 exists; the launch script
// points that fd at a FIFO in the machine's runtime folder, read as it is written (fifo-reader.ts). It
// used to be a file the supervisor read every 5 ms until it was complete.
import type { Disposable } from '../engine/disposable';
import { readFifo } from './fifo-reader';

/** PID 1's host pid from bwrap's info text; undefined until the text is complete (bwrap writes it in pieces). */
export function parseBwrapInfo(text: string): number | undefined {
  try {
    const pid = (JSON.parse(text) as { 'child-pid'?: unknown })['child-pid'];
    return Number.isSafeInteger(pid) && (pid as number) > 0 ? (pid as number) : undefined;
  } catch {
    return undefined;
  }
}

/** Calls `onPid1` once, when bwrap's info through the FIFO at `file` names PID 1. Call it before the launch. */
export function whenBwrapInfo(file: string, onPid1: (pid: number) => void): Disposable {
  return readFifo(file, (text) => {
    const pid = parseBwrapInfo(text);
    if (pid === undefined) return false;
    onPid1(pid);
    return true;
  });
}
