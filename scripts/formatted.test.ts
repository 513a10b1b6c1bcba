// Files in the project's format hold lines to 160 characters: a long user-facing message fails lint.
import { ESLint } from 'eslint';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMATTED } from './formatted.mjs';

const ROOT = path.resolve(__dirname, '..');
const message = 'x'.repeat(170);

async function lengthErrors(file: string, code: string): Promise<number> {
  const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: path.join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'max-len').length;
}

describe('line length', () => {
  it('refuses a 170-character message in a formatted file, and takes it split in two', async () => {
    expect(await lengthErrors('electron/contract/describe.ts', `export const said = '${message}';\n`)).toBe(1);
    expect(await lengthErrors('electron/contract/describe.ts', `export const said = '${message.slice(0, 85)}' +\n  '${message.slice(85)}';\n`)).toBe(0);
  });

  it('lets a test keep a long fixture string', async () => {
    expect(await lengthErrors('electron/contract/describe.test.ts', `export const fixture = '${message}';\n`)).toBe(0);
  });

  it('lists only files that exist', () => {
    expect(FORMATTED === 'all' ? [] : FORMATTED.filter((f: string) => !fs.existsSync(path.join(ROOT, f)))).toEqual([]);
  });
});
