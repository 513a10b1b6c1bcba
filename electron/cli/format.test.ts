// Text from a guest reaches the CLI's output as data: what a hostile os-release, STATUS= or unit name
// carries must not act on the user's terminal.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleSafe, describeStatus, err, json, out, printTable, terminalSafe } from './format';

const HOSTILE = [
  ['an OSC 52 clipboard write', '\u001b]52;c;cm0gLXJmIH4=\u0007', '\\x1b]52;c;cm0gLXJmIH4=\\x07'],
  ['a window title change', '\u001b]0;pwned\u001b\\', '\\x1b]0;pwned\\x1b\\'],
  ['a screen clear and cursor move', '\u001b[2J\u001b[H', '\\x1b[2J\\x1b[H'],
  ['a carriage return that overwrites the line', 'Debian\rUbuntu', 'Debian\\x0dUbuntu'],
  ['a C1 CSI', 'a\u009b31mb', 'a\\x9b31mb'],
  ['a C1 OSC with ST', '\u009d0;t\u009c', '\\x9d0;t\\x9c'],
  ['DEL and NUL', 'a\u007f\u0000b', 'a\\x7f\\x00b'],
  ['a bidi override', 'file\u202Etxt.exe', 'file\\u202etxt.exe'],
  ['bidi isolates', '\u2066a\u2069', '\\u2066a\\u2069'],
] as const;

describe('terminalSafe', () => {
  it.each(HOSTILE)('shows %s as escapes', (_label, text, shown) => {
    expect(terminalSafe(text)).toBe(shown);
  });

  it('leaves ordinary text, tabs, newlines and other scripts alone', () => {
    const text = 'Debian GNU/Linux 12 (bookworm)\tok\n日本語 العربية ✓';
    expect(terminalSafe(text)).toBe(text);
  });

  it('drops the colours from console text and escapes the rest', () => {
    expect(consoleSafe('[\u001b[0;32m  OK  \u001b[0m] Started\u001b]52;c;x\u0007')).toBe('[  OK  ] Started\\x1b]52;c;x\\x07');
  });
});

describe('the output helpers', () => {
  let written = '';
  const capture = (stream: NodeJS.WriteStream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    });
  afterEach(() => {
    vi.restoreAllMocks();
    written = '';
  });

  it('print a machine whose systemd sent a hostile STATUS= without any control character', () => {
    capture(process.stdout);
    capture(process.stderr);
    const status = { name: 'web', state: 'starting' as const, statusText: HOSTILE.map((h) => h[1]).join(' ') };
    out(`web: ${describeStatus(status)}`);
    err(`failed units: ${status.statusText}`);
    printTable(['NAME', 'STATE'], [['web', describeStatus(status)]]);
    expect(written).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(written).toContain('\\x1b]52;c;');
  });

  it('keep JSON output exact for tools while escaping what JSON.stringify leaves raw', () => {
    capture(process.stdout);
    const value = { statusText: HOSTILE.map((h) => h[1]).join(' ') };
    json(value);
    expect(written).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069](?<!\n)/);
    expect(JSON.parse(written)).toEqual(value);
  });
});
