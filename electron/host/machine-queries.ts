// What the machine view asks a machine: its live mount table and who can log in on its console (running),
// its journal (running: journalctl inside; stopped or crashed: its persistent journal read from its tree,
// journal-at-rest.ts). Its units: unit-queries.ts. Everything read here is the guest's text: parsed as hostile.
import type { JournalEntry, LiveMount, LoginInfo } from '../contract/api';
import { isLive } from '../contract/machine-state';
import { BurrowError } from '../engine/errors';
import { execCapture, execTarget } from '../engine/exec';
import { captureJournalAtRest } from '../engine/journal-at-rest';
import { loadProfile } from '../engine/profiles';
import { statusOf } from '../engine/runtime-state';

const firstLine = (text: string) => text.trim().split('\n')[0]?.slice(0, 500) ?? '';

async function run(name: string, command: string[]): Promise<string> {
  const r = await execCapture(execTarget(loadProfile(name)), command, 15000);
  if (r.code !== 0 && !r.stdout) throw new BurrowError('internal', `${command[0]} inside "${name}" failed: ${firstLine(r.stderr) || `exit ${r.code}`}`);
  return r.stdout;
}

/** /proc/self/mountinfo as the machine sees it. */
export function parseMountinfo(text: string): LiveMount[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const sep = line.indexOf(' - ');
      const left = line.slice(0, sep).split(' ');
      const right = line.slice(sep + 3).split(' ');
      const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
      return { dest: unescape(left[4] ?? ''), options: left[5] ?? '', fstype: right[0] ?? '', source: unescape(right[1] ?? '') };
    });
}

export async function liveMounts(name: string): Promise<LiveMount[]> {
  return parseMountinfo(await run(name, ['cat', '/proc/1/mountinfo']));
}

export interface JournalQuery {
  unit?: string;
  priority?: number;
  lines: number;
  grep?: string;
}

const MAX_MESSAGE = 16 * 1024;
const text = (v: unknown, max = 256): string | undefined => (typeof v === 'string' ? v.slice(0, max) : undefined);

/** `journalctl --output=json` lines as entries; a line that is not an entry is left out. */
export function parseJournal(out: string): JournalEntry[] {
  const entries: JournalEntry[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a partial line at the end
    }
    if (typeof e !== 'object' || e === null) continue;
    // journalctl prints a message that is not valid UTF-8 as an array of bytes.
    const raw = Array.isArray(e.MESSAGE)
      ? Buffer.from((e.MESSAGE as unknown[]).filter((b): b is number => typeof b === 'number')).toString('utf8')
      : String(e.MESSAGE ?? '');
    const time = Math.floor(Number(e.__REALTIME_TIMESTAMP) / 1000);
    const priority = Number(e.PRIORITY ?? 6);
    entries.push({
      time: Number.isFinite(time) ? time : 0,
      priority: Number.isInteger(priority) && priority >= 0 && priority <= 7 ? priority : 6,
      unit: text(e._SYSTEMD_UNIT) ?? text(e.UNIT),
      identifier: text(e.SYSLOG_IDENTIFIER),
      message: raw.slice(0, MAX_MESSAGE),
      cursor: text(e.__CURSOR, 1024) ?? String(entries.length),
    });
  }
  return entries;
}

export function journalArgs(q: JournalQuery): string[] {
  const args = ['--no-pager', '--output=json', '--lines', String(q.lines)];
  if (q.unit) args.push('--unit', q.unit);
  if (q.priority !== undefined) args.push('--priority', String(q.priority));
  if (q.grep) args.push('--grep', q.grep, '--case-sensitive=false');
  return args;
}

/** The machine's journal: from journald inside while it runs, from its persistent journal once it stopped. */
export async function readJournal(name: string, q: JournalQuery): Promise<JournalEntry[]> {
  const profile = loadProfile(name);
  if (isLive(statusOf(name))) return parseJournal(await run(name, ['journalctl', ...journalArgs(q)]));
  const r = await captureJournalAtRest(profile, journalArgs(q));
  // journalctl answers 1 for "no entries" with --grep: an empty journal, not an error.
  if (r.code !== 0 && !r.stdout && r.stderr.trim()) throw new BurrowError('internal', `reading the journal of "${name}" failed: ${firstLine(r.stderr)}`);
  return parseJournal(r.stdout);
}

const SEPARATOR = '@@burrow-passwd@@';
const NO_LOGIN_SHELL = /(^|\/)(nologin|false)$/;
const MAX_ACCOUNTS = 20;

/**
 * Accounts that can log in on the console, from /etc/shadow and /etc/passwd as the guest has them: a
 * password set, or none at all, and a login shell. Only names are kept: a hash never leaves this function.
 */
export function parseLogins(shadow: string, passwd: string): LoginInfo {
  const shells = new Map<string, string>();
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length >= 7) shells.set(f[0]!, f[6]!.trim());
  }
  const info: LoginInfo = { withPassword: [], withoutPassword: [] };
  for (const line of shadow.split('\n')) {
    const [user = '', hash] = line.split(':');
    const shell = shells.get(user);
    if (hash === undefined || !/^[a-z_][a-z0-9_.-]{0,31}\$?$/i.test(user) || !shell || NO_LOGIN_SHELL.test(shell)) continue;
    if (hash === '') info.withoutPassword.push(user);
    else if (!/^[!*]/.test(hash)) info.withPassword.push(user);
  }
  info.withPassword = info.withPassword.slice(0, MAX_ACCOUNTS);
  info.withoutPassword = info.withoutPassword.slice(0, MAX_ACCOUNTS);
  return info;
}

export async function loginInfo(name: string): Promise<LoginInfo> {
  const out = await run(name, ['/bin/sh', '-c', `cat /etc/shadow; echo ${SEPARATOR}; cat /etc/passwd`]);
  const at = out.indexOf(SEPARATOR);
  return at < 0 ? { withPassword: [], withoutPassword: [] } : parseLogins(out.slice(0, at), out.slice(at + SEPARATOR.length));
}
