import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from './coalescer';

describe('Coalescer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('turns a flood into at most one run per interval, ending with the newest', () => {
    let value = 0;
    const runs: number[] = [];
    const c = new Coalescer(
      () => runs.push(value),
      250,
      () => Date.now(),
    );
    for (let i = 1; i <= 10_000; i++) {
      value = i;
      c.runSoon();
      vi.advanceTimersByTime(0.1); // 10,000 a second, for one second
    }
    vi.advanceTimersByTime(250);
    expect(runs.length).toBeLessThanOrEqual(6);
    expect(runs[0]).toBe(1);
    expect(runs.at(-1)).toBe(10_000);
  });

  it('runs at once when asked, and drops the run that was waiting', () => {
    const runs: string[] = [];
    let what = 'status';
    const c = new Coalescer(
      () => runs.push(what),
      250,
      () => Date.now(),
    );
    c.runSoon();
    c.runSoon();
    what = 'running';
    c.runNow();
    vi.advanceTimersByTime(1000);
    expect(runs).toEqual(['status', 'running']);
  });
});
