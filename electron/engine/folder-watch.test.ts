import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Disposable } from './disposable';
import { watchFolder } from './folder-watch';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function temp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-watch-test-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Watches `dir`, recording every name it is told of ('*' for "anything may have changed"). */
function record(dir: string, opts: Partial<Parameters<typeof watchFolder>[2]> = {}): { seen: string[]; fallbacks: string[]; watch: Disposable } {
  const seen: string[] = [];
  const fallbacks: string[] = [];
  const watch = watchFolder(dir, (name) => seen.push(name ?? '*'), { fallbackMs: 20, onFallback: (r) => fallbacks.push(r), ...opts });
  cleanups.push(() => watch.dispose());
  return { seen, fallbacks, watch };
}

async function until(what: () => boolean, ms = 2000): Promise<void> {
  for (const end = Date.now() + ms; !what();) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

describe('watching a folder', () => {
  it('names each entry that changes, as it changes', async () => {
    const dir = temp();
    const { seen } = record(dir);
    fs.writeFileSync(path.join(dir, 'state.json'), '{}');
    await until(() => seen.includes('state.json'));
    fs.renameSync(path.join(dir, 'state.json'), path.join(dir, 'old.json'));
    await until(() => seen.includes('old.json'));
  });

  it('waits for a folder that does not exist yet, however deep, then watches it', async () => {
    const dir = path.join(temp(), 'a', 'b');
    const { seen } = record(dir);
    fs.mkdirSync(path.join(path.dirname(dir)));
    fs.mkdirSync(dir);
    await until(() => seen.includes('*'));
    fs.writeFileSync(path.join(dir, 'x'), '');
    await until(() => seen.includes('x'));
  });

  it('follows a folder that is removed and made again', async () => {
    const dir = path.join(temp(), 'run');
    fs.mkdirSync(dir);
    const { seen } = record(dir);
    fs.rmSync(dir, { recursive: true });
    await until(() => seen.includes('*'));
    fs.mkdirSync(dir);
    const before = seen.length;
    await until(() => seen.length > before);
    fs.writeFileSync(path.join(dir, 'after'), '');
    await until(() => seen.includes('after'));
  });

  it('looks every fallbackMs where inotify refuses (no watches left), says so once, and watches again once it can', async () => {
    const dir = temp();
    let refuse = true;
    const { seen, fallbacks } = record(dir, {
      watch: (d, listener) => {
        if (refuse) throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
        return fs.watch(d, listener);
      },
    });
    await until(() => seen.filter((s) => s === '*').length >= 3);
    expect(fallbacks).toEqual(['ENOSPC']);
    refuse = false;
    await sleep(60);
    fs.writeFileSync(path.join(dir, 'late'), '');
    await until(() => seen.includes('late'));
    const ticks = seen.length;
    await sleep(100);
    expect(seen.length).toBe(ticks); // events again, no more looking
  });

  it('is quiet once disposed', async () => {
    const dir = temp();
    const { seen, watch } = record(dir);
    watch.dispose();
    fs.writeFileSync(path.join(dir, 'x'), '');
    await sleep(50);
    expect(seen).toEqual([]);
  });
});
