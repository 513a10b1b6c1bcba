// `NAME` or `NAME@SNAPSHOT`, as clone and export take them, and the label a snapshot may carry.
import { MACHINE_NAME_RE } from '../contract/plain';
import { BurrowError } from './errors';
import { LABEL_MAX, SNAPSHOT_ID_RE } from './layer-stack';

export interface MachineRef {
  machine: string;
  snapshot?: string;
}

const NAME_RULE = 'machine names are 1-63 lowercase letters, digits, "-" or "_", starting with a letter or digit';

export function parseMachineRef(text: string): MachineRef {
  const at = text.indexOf('@');
  const machine = at < 0 ? text : text.slice(0, at);
  const snapshot = at < 0 ? undefined : text.slice(at + 1);
  const shown = JSON.stringify(text);
  if (!MACHINE_NAME_RE.test(machine)) {
    throw new BurrowError(
      'invalid-input',
      machine ? `invalid machine name in ${shown}: ${NAME_RULE}` : `${shown} names no machine before "@"`,
      'write NAME or NAME@SNAPSHOT, e.g. web@2 (see: burrow snapshot ls NAME)',
    );
  }
  if (snapshot !== undefined) checkSnapshotId(snapshot, text);
  return snapshot === undefined ? { machine } : { machine, snapshot };
}

export function checkSnapshotId(id: string, whole = id): void {
  if (SNAPSHOT_ID_RE.test(id)) return;
  const why = id === '' ? 'nothing follows "@"' : id.includes('@') ? 'it holds more than one "@"' : `"${id}" is not a snapshot number`;
  throw new BurrowError(
    'invalid-input',
    `invalid snapshot in ${JSON.stringify(whole)}: ${why}`,
    'snapshots are numbered 1, 2, 3…: see them with burrow snapshot ls NAME',
  );
}

/** A label is one line of printable text: no control characters, so it cannot rewrite a terminal or a table. */
export function checkLabel(label: string): string {
  const trimmed = label.trim();
  if (!trimmed) throw new BurrowError('invalid-input', 'the snapshot label is empty', 'give some text, e.g. --label "before upgrade", or leave --label out');
  if (trimmed.length > LABEL_MAX)
    throw new BurrowError('invalid-input', `the snapshot label is ${trimmed.length} characters long, more than ${LABEL_MAX}`, 'shorten it');
  if (/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(trimmed))
    throw new BurrowError('invalid-input', 'the snapshot label holds control characters', 'use plain text on one line');
  return trimmed;
}
