// A running machine's units, read with systemctl inside: the list with what each allows, an action with
// its outcome, a unit's status. systemctl inside is the guest's: what it prints is bounded and parsed as
// hostile (a unit's description is the guest's text).
import type { UnitActionResult, UnitView } from '../contract/api';
import { DEFAULT_MASKED_UNITS } from '../contract/profile-defaults';
import { compareUnits, unitActions, type UnitAction, type UnitFacts } from '../contract/units';
import { BurrowError } from '../engine/errors';
import { execCapture, execTarget, type ExecTarget } from '../engine/exec';
import { loadProfile } from '../engine/profiles';

/** Units that fail in any unprivileged container: kernel interfaces a user namespace cannot have. */
const EXPECTED_FAILURES = new Set([
  ...DEFAULT_MASKED_UNITS,
  'sys-kernel-config.mount',
  'sys-fs-fuse-connections.mount',
  'systemd-sysctl.service',
  'systemd-udevd.service',
  'systemd-udev-trigger.service',
]);

const MAX_UNITS = 5000;
const MAX_FIELD = 512;
const PROPERTIES = ['Id', 'Description', 'LoadState', 'ActiveState', 'SubState', 'CanStart', 'CanStop', 'RefuseManualStart', 'RefuseManualStop'];
/**
 * Every unit systemd has loaded (list-units --all) and every unit file (a disabled service is one too, as
 * on Cockpit's page; templates such as getty@.service are not units), then what `show` says of each: one
 * nsenter for the lot.
 */
const LIST_AND_SHOW = [
  '/bin/sh',
  '-c',
  '{ systemctl list-units --all --plain --no-legend --no-pager; systemctl list-unit-files --plain --no-legend --no-pager; } | ' +
    '{ while read -r u v _; do [ "$u" = "●" ] && u=$v; case $u in *@.*) continue ;; esac; set -- "$@" "$u"; done; ' +
    `[ $# -gt 0 ] || exit 0; exec systemctl show --no-pager -p ${PROPERTIES.join(',')} -- "$@"; }`,
];

/** `systemctl show` output: blocks of KEY=VALUE lines, one block per unit, bounded in number and length. */
export function parseUnitBlocks(text: string): UnitFacts[] {
  const units = new Map<string, UnitFacts>();
  for (const block of text.split(/\n\s*\n/)) {
    if (units.size >= MAX_UNITS) break;
    const f = new Map<string, string>();
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) f.set(line.slice(0, eq), line.slice(eq + 1, eq + 1 + MAX_FIELD));
    }
    const unit = f.get('Id');
    // An alias and its unit answer with the same Id: one row.
    if (!unit || !/^[A-Za-z0-9:_.@\\-]{1,255}$/.test(unit) || units.has(unit)) continue;
    units.set(unit, {
      unit,
      load: f.get('LoadState') ?? '',
      active: f.get('ActiveState') ?? '',
      sub: f.get('SubState') ?? '',
      description: f.get('Description') ?? '',
      canStart: f.get('CanStart') === 'yes',
      canStop: f.get('CanStop') === 'yes',
      refuseManualStart: f.get('RefuseManualStart') === 'yes',
      refuseManualStop: f.get('RefuseManualStop') === 'yes',
    });
  }
  return [...units.values()];
}

export function unitView(u: UnitFacts): UnitView {
  return {
    unit: u.unit,
    load: u.load,
    active: u.active,
    sub: u.sub,
    description: u.description,
    expectedFailure: EXPECTED_FAILURES.has(u.unit),
    actions: unitActions(u),
  };
}

const firstLine = (text: string) => text.trim().split('\n')[0]?.slice(0, MAX_FIELD) ?? '';

export async function listUnits(name: string): Promise<UnitView[]> {
  const r = await execCapture(execTarget(loadProfile(name)), LIST_AND_SHOW, 15000);
  if (r.code !== 0 && !r.stdout) throw new BurrowError('internal', `systemctl inside "${name}" failed: ${firstLine(r.stderr) || `exit ${r.code}`}`);
  return parseUnitBlocks(r.stdout).map(unitView).sort(compareUnits);
}

async function oneUnit(target: ExecTarget, unit: string): Promise<UnitView | undefined> {
  const r = await execCapture(target, ['systemctl', 'show', '--no-pager', '-p', PROPERTIES.join(','), '--', unit], 10000);
  const [facts] = parseUnitBlocks(r.stdout);
  return facts && unitView(facts);
}

const DONE: Record<UnitAction, string> = { start: 'started', stop: 'stopped', restart: 'restarted' };
/** systemctl waits for the job; a job still running after this is left to systemd and said so. */
const ACTION_WAIT_MS = 25_000;

/** Runs the action and waits for systemd's verdict: success with the unit's new state, or systemd's own reason. */
export async function unitAction(name: string, unit: string, action: UnitAction): Promise<UnitActionResult> {
  const target = execTarget(loadProfile(name));
  const started = Date.now();
  const r = await execCapture(target, ['systemctl', action, '--', unit], ACTION_WAIT_MS);
  const after = await oneUnit(target, unit);
  const now = after ? `now ${after.active}${after.sub ? ` (${after.sub})` : ''}` : '';
  if (r.code === 0) return { ok: true, message: `${unit} ${DONE[action]}${now ? `: ${now}` : ''}`, unit: after };
  if (!r.stderr.trim() && Date.now() - started >= ACTION_WAIT_MS) {
    return {
      ok: false,
      message: `${action} of ${unit} still runs after ${ACTION_WAIT_MS / 1000} s; systemd carries on with it${now ? ` (${now})` : ''}`,
      unit: after,
    };
  }
  // systemd's reason, without its pointer to commands: the unit's page shows its status and journal.
  const why = firstLine(r.stderr.replace(/\s*See "systemctl status[^]*$/, '')) || `systemctl ${action} exited ${r.code}`;
  return { ok: false, message: why, unit: after };
}

const MAX_STATUS = 64 * 1024;

/** `systemctl status UNIT` as systemd prints it (exit 3, "not running", is an answer too). */
export async function unitStatus(name: string, unit: string): Promise<string> {
  const r = await execCapture(execTarget(loadProfile(name)), ['systemctl', 'status', '--no-pager', '--full', '--lines=0', '--', unit], 10000);
  if (!r.stdout.trim()) throw new BurrowError('not-found', firstLine(r.stderr) || `systemctl status ${unit} printed nothing (exit ${r.code})`);
  return r.stdout.slice(0, MAX_STATUS);
}
