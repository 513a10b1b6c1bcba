// Plain-text output for terminals. Everything printed here goes through terminalSafe: text from a guest
// (os-release, STATUS=, failed units) or read back from disk is data, never terminal input.
import { BurrowError } from '../engine/errors';
import { checkName } from '../engine/profiles';

export { describeStatus } from '../contract/describe';

/**
 * C0 controls but tab and newline, DEL, C1 controls (a terminal may read U+009B as CSI), and the
 * bidirectional controls that reorder what is read (after the "Trojan Source" advisory, CVE-2021-42574).
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same outside C0, which JSON.stringify already escapes. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** A complete CSI sequence (colours, cursor moves): dropped from console text, which is full of them. */
const CSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;

const escapeChar = (c: string): string => {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * Text made safe to print: control characters are shown as escapes (`\x1b`, `\u202e`), so the text
 * cannot move the cursor, set the window title, write the clipboard (OSC 52) or hide what follows.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** A machine's console output shown outside its console (after a failed start): colours dropped, the rest escaped. */
export function consoleSafe(text: string): string {
  return terminalSafe(text.replace(CSI, ''));
}

/** The one machine name a command takes, checked. */
export function oneName(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new BurrowError('invalid-input', `expected one machine name (usage: burrow ${usage})`);
  checkName(positionals[0]!);
  return positionals[0]!;
}

export function printTable(header: string[], unsafeRows: string[][]): void {
  const rows = unsafeRows.map((r) => r.map(terminalSafe));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
}

export const out = (s: string): void => void process.stdout.write(terminalSafe(s.endsWith('\n') ? s : s + '\n'));
/** An error or a notice on stderr, made safe like out(). */
export const err = (s: string): void => void process.stderr.write(terminalSafe(s.endsWith('\n') ? s : s + '\n'));
/** JSON for tools: the same characters escaped the JSON way (`\u009b`), so the data reads back unchanged. */
export const json = (v: unknown): void =>
  void process.stdout.write(JSON.stringify(v, null, 2).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n');
export const jsonOption = { json: { type: 'boolean' as const, help: 'machine-readable output' } };
