import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyLimits, limitsUnavailable, limitWrites, readUsage } from './resource-limits';
import { hybridHost, unifiedHost } from './test-host-facts';

let tmp: string | undefined;
afterEach(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

describe('resource limits', () => {
  it("turns a profile's limits into cgroup v2 writes", () => {
    expect(limitWrites({ memory: '1G', pids: 512, cpus: 1.5 })).toEqual([
      { controller: 'memory', file: 'memory.max', value: String(1024 ** 3) },
      { controller: 'memory', file: 'memory.swap.max', value: '0' },
      { controller: 'pids', file: 'pids.max', value: '512' },
      { controller: 'cpu', file: 'cpu.max', value: '150000 100000' },
    ]);
    expect(limitWrites({})).toEqual([]);
  });

  it('says why limits cannot apply on a hybrid host, and names missing controllers on a unified one', () => {
    expect(limitsUnavailable(hybridHost().cgroups, ['memory'])).toMatch(/hybrid layout/);
    expect(limitsUnavailable(unifiedHost().cgroups, ['memory', 'pids'])).toBeUndefined();
    expect(limitsUnavailable(unifiedHost().cgroups, ['cpu'])).toMatch(/the cpu controller is not delegated/);
    expect(limitsUnavailable(hybridHost().cgroups, [])).toBeUndefined();
  });

  it("enables the controllers in the parent and writes the limits into the machine's cgroup", () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-limits-'));
    const machine = path.join(tmp, 'burrow-web');
    fs.writeFileSync(path.join(tmp, 'cgroup.subtree_control'), '');
    const outcome = applyLimits(machine, limitWrites({ memory: '64M', pids: 100 }));
    expect(outcome).toEqual({ applied: [`memory.max=${64 * 1024 ** 2}`, 'memory.swap.max=0', 'pids.max=100'] });
    expect(fs.readFileSync(path.join(tmp, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +pids');
    expect(fs.readFileSync(path.join(machine, 'pids.max'), 'utf8')).toBe('100');
  });

  it('reports a parent that cannot pass controllers on instead of failing', () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-limits-'));
    fs.mkdirSync(path.join(tmp, 'cgroup.subtree_control')); // a write fails, as it does without the rights
    const outcome = applyLimits(path.join(tmp, 'burrow-web'), limitWrites({ pids: 100 }));
    expect(outcome.applied).toEqual([]);
    expect(outcome.unavailable).toMatch(/cgroup\.subtree_control cannot be written \(EISDIR\)/);
    expect(fs.readdirSync(path.join(tmp, 'burrow-web'))).toEqual([]);
  });

  it("reads usage from the kernel's accounting where the memory controller is on", () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'burrow-usage-'));
    const files: Record<string, string> = {
      'memory.current': '1048576\n',
      'memory.max': 'max\n',
      'pids.current': '12\n',
      'pids.max': '512\n',
      'cpu.stat': 'usage_usec 2500000\nuser_usec 1\n',
      'cpu.max': '150000 100000\n',
    };
    for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(tmp, f), v);
    expect(readUsage(tmp, undefined)).toEqual({
      source: 'cgroup',
      memoryBytes: 1048576,
      memoryMaxBytes: undefined,
      pids: 12,
      pidsMax: 512,
      cpuUsec: 2500000,
      cpuMax: 1.5,
    });
  });
});
