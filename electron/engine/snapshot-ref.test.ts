import { describe, expect, it } from 'vitest';
import { BurrowError } from './errors';
import { checkLabel, parseMachineRef } from './snapshot-ref';

const refusal = (fn: () => unknown): BurrowError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof BurrowError) return e;
    throw e;
  }
  throw new Error('not refused');
};

describe('NAME@SNAPSHOT', () => {
  it('reads a machine alone or with a snapshot number', () => {
    expect(parseMachineRef('web')).toEqual({ machine: 'web' });
    expect(parseMachineRef('web_2@12')).toEqual({ machine: 'web_2', snapshot: '12' });
  });

  it.each([
    ['web@', /nothing follows "@"/],
    ['@3', /names no machine before "@"/],
    ['web@1@2', /more than one "@"/],
    ['web@abc', /"abc" is not a snapshot number/],
    ['web@0', /"0" is not a snapshot number/],
    ['web@01', /"01" is not a snapshot number/],
    ['web@1234567890', /not a snapshot number/],
    ['Web@1', /invalid machine name/],
    ['../x@1', /invalid machine name/],
    ['web@ 1', /not a snapshot number/],
  ])('refuses %j with the rule and an example', (text, why) => {
    const e = refusal(() => parseMachineRef(text));
    expect(e.code).toBe('invalid-input');
    expect(e.message).toMatch(why);
    expect(e.fix).toMatch(/burrow snapshot ls NAME/);
  });
});

describe('snapshot labels', () => {
  it('keeps plain text, trimmed, in any script', () => {
    expect(checkLabel('  before upgrade ')).toBe('before upgrade');
    expect(checkLabel('vor dem Upgrade – ärger 🙂')).toBe('vor dem Upgrade – ärger 🙂');
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['x'.repeat(201), /201 characters long/],
    ['title\u001b]0;pwned\u0007', /control characters/],
    ['two\nlines', /control characters/],
    ['csi \u009b31m', /control characters/],
    ['evil \u202e txt', /control characters/],
  ])('refuses %j', (label, why) => {
    expect(refusal(() => checkLabel(label)).message).toMatch(why);
  });
});
