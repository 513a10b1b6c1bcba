// The runtime folder is trusted only as a private folder of ours, on every use: reading a machine's state
// (status, ls, rm, stop) checks it as starting does, and what state.json says is checked before use.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureRuntimeRoot, existingRuntimeRoot, runtimeRootProblem, type DirStat } from './runtime-root';
import { isOurNetworkHelper, parseRecord, processStartTime, statusOf } from './runtime-state';

const fakeStat = (over: Partial<{ uid: number; mode: number; dir: boolean; link: boolean }>): DirStat => ({
  uid: over.uid ?? 1000,
  mode: over.mode ?? 0o40700,
  isDirectory: () => over.dir ?? true,
  isSymbolicLink: () => over.link ?? false,
});

describe('the runtime folder check', () => {
  it('accepts a folder of ours with mode 0700', () => {
    expect(runtimeRootProblem('/tmp/burrow-1000', fakeStat({}), 1000)).toBeUndefined();
  });

  it.each([
    ['made by another user first', { uid: 1001 }, /belongs to uid 1001, not to you \(uid 1000\)[\s\S]*sudo rm -r \/tmp\/burrow-1000.*XDG_RUNTIME_DIR/],
    ['made by root', { uid: 0 }, /belongs to uid 0/],
    ['a symbolic link', { link: true, dir: false }, /is a symbolic link[\s\S]*rm \/tmp\/burrow-1000/],
    ['a file', { dir: false }, /is not a folder/],
    ['open to others', { mode: 0o40777 }, /has mode 0777, not 0700[\s\S]*chmod 700/],
    ['readable by its group', { mode: 0o40750 }, /has mode 0750/],
  ])('refuses one %s, with the reason and the fix', (_label, over, message) => {
    const problem = runtimeRootProblem('/tmp/burrow-1000', fakeStat(over), 1000);
    expect(problem?.code).toBe('host-not-ready');
    expect(problem?.describe()).toMatch(message);
  });
});

describe('the runtime folder on disk', () => {
  let base: string;
  const saved = process.env.XDG_RUNTIME_DIR;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-rt-test-'));
    process.env.XDG_RUNTIME_DIR = base;
  });
  afterEach(() => {
    process.env.XDG_RUNTIME_DIR = saved;
    fs.rmSync(base, { recursive: true, force: true });
  });

  /** A machine state that claims a running machine, as an attacker would plant it. */
  function plant(dir: string): void {
    fs.mkdirSync(path.join(dir, 'web'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'web/state.json'), JSON.stringify({ name: 'web', state: 'exited', statusText: '\u001b]52;c;cm0gLXJmIH4=\u0007' }));
  }

  it('is made private when missing, and there is nothing to read before that', () => {
    expect(existingRuntimeRoot()).toBeUndefined();
    expect(statusOf('web')).toEqual({ name: 'web', state: 'stopped' });
    const root = ensureRuntimeRoot();
    expect(fs.lstatSync(root).mode & 0o777).toBe(0o700);
  });

  it('is refused when it is a link to a folder with planted state, for reading too', () => {
    const elsewhere = path.join(base, 'planted');
    plant(elsewhere);
    fs.symlinkSync(elsewhere, path.join(base, 'burrow'));
    expect(() => statusOf('web')).toThrow(/is a symbolic link/);
    expect(() => ensureRuntimeRoot()).toThrow(/is a symbolic link/);
  });

  it('is refused when others may write in it, for reading too', () => {
    plant(path.join(base, 'burrow'));
    fs.chmodSync(path.join(base, 'burrow'), 0o777);
    expect(() => statusOf('web')).toThrow(/has mode 0777, not 0700/);
  });
});

describe('state.json read back', () => {
  const good = { name: 'web', state: 'running', pid1: 42, supervisorPid: 41, supervisorStartTime: 100, cgroupDirs: ['/sys/fs/cgroup/x'], failedUnits: [] };

  it('is used when it is what a supervisor writes', () => {
    expect(parseRecord(JSON.stringify(good), 'web')).toEqual(good);
  });

  it.each([
    ['not JSON', '{"name":'],
    ['null', 'null'],
    ['an array', '[]'],
    ['another machine', JSON.stringify({ ...good, name: 'other' })],
    ['an unknown state', JSON.stringify({ ...good, state: 'pwned' })],
    ['a pid that is text', JSON.stringify({ ...good, pid1: '42; rm -rf ~' })],
    ['a negative pid', JSON.stringify({ ...good, pid1: -1 })],
    ['a pid of 0 (our own process group)', JSON.stringify({ ...good, networkHelperPid: 0 })],
    ['cgroups that are not a list of text', JSON.stringify({ ...good, cgroupDirs: '/sys/fs/cgroup' })],
    ['an unknown field', JSON.stringify({ ...good, command: 'sh' })],
    ['a huge text', JSON.stringify({ ...good, statusText: 'x'.repeat(100_000) })],
  ])('is ignored when it is %s', (_label, text) => {
    expect(parseRecord(text, 'web')).toBeUndefined();
  });
});

describe('a recorded network helper', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-helper-test-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(name: string): Promise<{ pid: number; start: number; stop(): void }> {
    const file = path.join(dir, name);
    fs.copyFileSync('/bin/sleep', file);
    fs.chmodSync(file, 0o755);
    const child = spawn(file, ['30'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    return { pid: child.pid!, start: processStartTime(child.pid!)!, stop: () => child.kill('SIGKILL') };
  }

  it('is signalled only while that pid is still our pasta or slirp4netns, started when recorded', async () => {
    const pasta = await run('pasta');
    const other = await run('sleep');
    try {
      expect(isOurNetworkHelper(pasta.pid, pasta.start)).toBe(true);
      expect(isOurNetworkHelper(pasta.pid, pasta.start + 1)).toBe(false);
      expect(isOurNetworkHelper(pasta.pid, undefined)).toBe(false);
      expect(isOurNetworkHelper(other.pid, other.start)).toBe(false);
      expect(isOurNetworkHelper(1, processStartTime(1))).toBe(false);
    } finally {
      pasta.stop();
      other.stop();
    }
  });
});
