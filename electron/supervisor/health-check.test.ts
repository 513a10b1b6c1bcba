import { describe, expect, it } from 'vitest';
import { healthChange, parseFailedUnits } from './health-check';

describe('failed units as systemctl inside lists them', () => {
  it('takes the first word of each line', () => {
    const out = 'apache2.service loaded failed failed The Apache HTTP Server\n  sys-kernel-debug.mount loaded failed failed Kernel Debug\n\n';
    expect(parseFailedUnits(out)).toEqual(['apache2.service', 'sys-kernel-debug.mount']);
    expect(parseFailedUnits('')).toEqual([]);
  });

  it('bounds what a hostile guest prints: at most 100 names of at most 256 characters', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `u${i}.service loaded failed failed x`).join('\n');
    expect(parseFailedUnits(many)).toHaveLength(100);
    const [long] = parseFailedUnits(`${'x'.repeat(100_000)}.service loaded failed`);
    expect(long!.length).toBe(256);
    expect(long!.endsWith('…')).toBe(true);
  });
});

describe('what a health check changes', () => {
  it('announces the first answer, whatever it is', () => {
    expect(healthChange([], { state: 'starting' }, true)).toEqual({ state: 'running', failedUnits: [] });
    expect(healthChange(['a.service'], { state: 'starting' }, true)).toEqual({ state: 'degraded', failedUnits: ['a.service'] });
  });

  it('later, only a change', () => {
    expect(healthChange([], { state: 'running', failedUnits: [] }, false)).toBeUndefined();
    expect(healthChange(['a.service'], { state: 'degraded', failedUnits: ['a.service'] }, false)).toBeUndefined();
    expect(healthChange(['b.service'], { state: 'degraded', failedUnits: ['a.service'] }, false)).toEqual({ state: 'degraded', failedUnits: ['b.service'] });
    expect(healthChange([], { state: 'degraded', failedUnits: ['a.service'] }, false)).toEqual({ state: 'running', failedUnits: [] });
  });

  it('keeps the last list when systemctl could not answer (a machine without it, or too busy)', () => {
    expect(healthChange(undefined, { state: 'degraded', failedUnits: ['a.service'] }, false)).toBeUndefined();
    expect(healthChange(undefined, { state: 'starting' }, true)).toEqual({ state: 'running', failedUnits: [] });
  });
});
