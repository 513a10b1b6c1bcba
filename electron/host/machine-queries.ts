// What the machine view asks a running machine: its units, its live mount table, its journal.
import type { JournalEntry, LiveMount, UnitView } from '../contract/api';
import { DEFAULT_MASKED_UNITS } from '../contract/profile-defaults';
import { BurrowError } from '../engine/errors';
import { execCapture, execTarget } from '../engine/exec';
import { loadProfile } from '../engine/profiles';

/** Units that fail in any unprivileged container: kernel interfaces a user namespace cannot have. */
const EXPECTED_FAILURES = new Set([...DEFAULT_MASKED_UNITS, 'sys-kernel-config.mount', 'sys-fs-fuse-connections.mount', 'systemd-sysctl.service', 'systemd-udevd.service', 'systemd-udev-trigger.service']);

async function run(name: string, command: string[]): Promise<string> {
  const r = await execCapture(execTarget(loadProfile(name)), command, 15000);
  if (r.code !== 0 && !r.stdout) throw new BurrowError('internal', `${command[0]} inside "${name}" failed: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`}`);
  return r.stdout;
}

export async function listUnits(name: string): Promise<UnitView[]> {
  const out = await run(name, ['systemctl', 'list-units', '--all', '--plain', '--no-legend', '--no-pager', '--output=json']).catch(() => '');
  let units: UnitView[];
  try {
    units = (JSON.parse(out) as { unit: string; load: string; active: string; sub: string; description: string }[]).map((u) => ({ ...u, expectedFailure: EXPECTED_FAILURES.has(u.unit) }));
  } catch {
    // systemd before 250 has no JSON output: parse the plain table.
    const text = await run(name, ['systemctl', 'list-units', '--all', '--plain', '--no-legend', '--no-pager']);
    units = text.split('\n').filter(Boolean).map((line) => {
      const [unit = '', load = '', active = '', sub = '', ...desc] = line.trim().split(/\s+/);
      return { unit, load, active, sub, description: desc.join(' '), expectedFailure: EXPECTED_FAILURES.has(unit) };
    });
  }
  const rank = (u: UnitView) => (u.active === 'failed' ? (u.expectedFailure ? 1 : 0) : 2);
  return units.sort((a, b) => rank(a) - rank(b) || a.unit.localeCompare(b.unit));
}

export async function unitAction(name: string, unit: string, action: 'start' | 'stop' | 'restart'): Promise<void> {
  const r = await execCapture(execTarget(loadProfile(name)), ['systemctl', action, '--no-block', '--', unit], 15000);
  if (r.code !== 0) throw new BurrowError('internal', `systemctl ${action} ${unit} failed: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`}`);
}

/** /proc/self/mountinfo as the machine sees it. */
export function parseMountinfo(text: string): LiveMount[] {
  return text.split('\n').filter(Boolean).map((line) => {
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

export async function readJournal(name: string, q: { unit?: string; priority?: number; lines: number; grep?: string }): Promise<JournalEntry[]> {
  const args = ['journalctl', '--no-pager', '--output=json', '--lines', String(q.lines)];
  if (q.unit) args.push('--unit', q.unit);
  if (q.priority !== undefined) args.push('--priority', String(q.priority));
  if (q.grep) args.push('--grep', q.grep, '--case-sensitive=false');
  const out = await run(name, args);
  const entries: JournalEntry[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as Record<string, unknown>;
      const message = Array.isArray(e.MESSAGE) ? Buffer.from(e.MESSAGE as number[]).toString('utf8') : String(e.MESSAGE ?? '');
      entries.push({ time: Math.floor(Number(e.__REALTIME_TIMESTAMP) / 1000), priority: Number(e.PRIORITY ?? 6), unit: (e._SYSTEMD_UNIT ?? e.UNIT) as string | undefined, identifier: e.SYSLOG_IDENTIFIER as string | undefined, message, cursor: String(e.__CURSOR) });
    } catch {
      /* a partial line at the end */
    }
  }
  return entries;
}
