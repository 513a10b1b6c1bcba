import { describe, expect, it } from 'vitest';
import { ConsoleHistory } from './console-history';

describe('console history', () => {
  it('keeps only the newest bytes within its limit', () => {
    const h = new ConsoleHistory(10);
    h.append(Buffer.from('0123456'));
    h.append(Buffer.from('789abc'));
    expect(h.snapshot().toString()).toBe('789abc');
    h.append(Buffer.from('defghijklmnop'));
    expect(h.snapshot().toString()).toBe('ghijklmnop');
  });
});
