// Every error code has an exit status, and every status is explained in `burrow --help`.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../contract/errors';
import { EXIT, EXIT_MEANINGS, exitCodeHelp } from './exit-codes';

describe('exit codes', () => {
  it('gives every error code a status that the help explains', () => {
    const explained = new Set(EXIT_MEANINGS.map(([code]) => code));
    for (const code of ERROR_CODES) expect(explained.has(EXIT[code]), code).toBe(true);
  });

  it('keeps the statuses people script against', () => {
    expect([EXIT['invalid-input'], EXIT['not-found'], EXIT['already-running'], EXIT['host-not-ready'], EXIT.cancelled]).toEqual([2, 3, 4, 5, 130]);
  });

  it('prints them wrapped, every one', () => {
    const help = exitCodeHelp(80);
    for (const line of help.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    for (const [code, meaning] of EXIT_MEANINGS) expect(help).toContain(`${code} ${meaning}`);
    expect(help).toMatch(/^Exit codes: 0 ok,/);
  });
});
