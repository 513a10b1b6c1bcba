// What a guest's systemd (or anything in the guest) sends to the readiness socket is bounded before use.
import { describe, expect, it } from 'vitest';
import { boundText, MAX_STATUS_CHARS, parseNotify } from './readiness';

describe('notify messages', () => {
  it('read READY, STOPPING and STATUS as systemd sends them', () => {
    expect(parseNotify('READY=1\nSTATUS=Startup finished in 435ms.\n')).toMatchObject({ ready: true, stopping: false, status: 'Startup finished in 435ms.' });
    expect(parseNotify('STOPPING=1')).toMatchObject({ ready: false, stopping: true, status: undefined });
  });

  it('cut a huge STATUS= to a line, on a character boundary', () => {
    const status = parseNotify(`STATUS=${'é'.repeat(MAX_STATUS_CHARS)}${'😀'.repeat(100_000)}`).status!;
    expect(Array.from(status)).toHaveLength(MAX_STATUS_CHARS);
    expect(status.endsWith('…')).toBe(true);
    expect(Buffer.from(status).toString()).toBe(status); // no half of a surrogate pair left over
  });

  it('take field names literally, even __proto__', () => {
    const m = parseNotify('__proto__=x\nconstructor=y\nREADY=1');
    expect(m.ready).toBe(true);
    expect(m.fields.__proto__).toBe('x');
  });

  it('keep short text as it is', () => {
    expect(boundText('Reached target Multi-User System.', 200)).toBe('Reached target Multi-User System.');
  });
});
