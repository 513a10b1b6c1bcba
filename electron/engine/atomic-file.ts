// Files replaced whole or not at all: write a temporary sibling, fsync, rename over the target.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * `durable: false` for what does not outlive the host's boot (the runtime folder's state.json): the rename
 * alone keeps readers from a half-written file, and the fsyncs cost ~5 ms a write on a busy disk (measured
 * where the runtime folder is not tmpfs), several times on a machine's boot and stop.
 */
export function writeFileAtomic(target: string, data: string | Buffer, mode = 0o644, durable = true): void {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.writeFileSync(fd, data);
    if (durable) fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  if (!durable) return;
  // Make the rename itself durable.
  try {
    const dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    /* some file systems refuse fsync on directories; the data is already safe */
  }
}

export function writeJsonAtomic(target: string, value: unknown, mode = 0o644, durable = true): void {
  writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n', mode, durable);
}
