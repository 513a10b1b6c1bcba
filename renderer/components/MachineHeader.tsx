import { useEffect, useRef, useState } from 'react';
import type { MachineListItem } from '../../electron/contract/api';
import { consequenceOf, type Destructive } from '../../electron/contract/consequences';
import { statusDetails } from '../../electron/contract/describe';
import { isLive, isUp } from '../../electron/contract/machine-state';
import { pendingChanges } from '../../electron/contract/profile-edit';
import { machineAction, resetToImage, setAutostart } from '../state/actions';
import { useLifecycle } from '../state/lifecycle';
import { useStore } from '../state/store';
import { ConfirmDialog } from './ConfirmDialog';
import { LifecycleActions } from './LifecycleActions';
import { MenuButton, type MenuItem } from './MenuButton';
import { StateChip } from './StateChip';

const STOP_FIRST = 'stop it first';

/** What a kill, a delete or a reset would take, asked in the window before it is done. */
function ConfirmDestructive({ what, item, onDone }: { what: Destructive; item: MachineListItem; onDone(): void }) {
  const disk = useLifecycle((s) => s.disk?.machines.find((m) => m.name === item.profile.name));
  const c = consequenceOf(what, item.profile, disk);
  const name = item.profile.name;
  const act = () => {
    onDone();
    if (what === 'reset') void resetToImage(name);
    else void machineAction(name, what === 'delete' ? 'remove' : 'kill');
  };
  return (
    <ConfirmDialog title={c.title} onCancel={onDone} choices={[{ label: c.action, danger: true, onChoose: act }]}>
      <p>Lost:</p>
      <ul className="lost">
        {c.lost.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
      <p>Kept: {c.kept.join('; ')}.</p>
    </ConfirmDialog>
  );
}

/**
 * The machine's title, its state in the window's one vocabulary, what explains it, and its actions: the
 * everyday ones in place (Start and Stop share one spot, so nothing moves under the pointer), the
 * destructive ones in a menu that asks first, and settings saved since the launch began shown as pending.
 */
export function MachineHeader({ item }: { item: MachineListItem }) {
  const { status, profile } = item;
  const name = profile.name;
  const busy = useStore((s) => s.busy[name]);
  const [asking, setAsking] = useState<Destructive>();
  const heading = useRef<HTMLHeadingElement>(null);
  // Keyboard users land on the machine they just opened or created.
  useEffect(() => heading.current?.focus(), [name]);
  const live = isLive(status);
  const settling = status.state === 'starting' || status.state === 'stopping';
  const pending = live ? pendingChanges(item.applied, profile).settings : [];

  const more: MenuItem[] = [
    ...(item.autostart !== undefined ? [{ label: 'Start at login', checked: item.autostart, onSelect: () => void setAutostart(name, !item.autostart) }] : []),
    ...(profile.storage === 'persistent'
      ? [{ label: 'Reset to image…', danger: true, disabledBecause: live ? STOP_FIRST : undefined, onSelect: () => setAsking('reset') }]
      : []),
    { label: 'Kill…', danger: true, disabledBecause: live ? undefined : 'not running', onSelect: () => setAsking('kill') },
    { label: 'Delete…', danger: true, disabledBecause: live ? STOP_FIRST : undefined, onSelect: () => setAsking('delete') },
  ];

  return (
    <div className="machine-head">
      <div className="title-row">
        <h2 ref={heading} tabIndex={-1} title={name}>
          {name}
        </h2>
        <StateChip status={status} />
        <span className="meta">{statusDetails(status).join(' · ')}</span>
      </div>
      <div className="actions" role="toolbar" aria-label="Machine actions">
        {live ? (
          <button className="primary-slot" disabled={!!busy || status.state === 'stopping'} onClick={() => void machineAction(name, 'stop')}>
            {busy === 'stop' || status.state === 'stopping' ? 'Stopping…' : 'Stop'}
          </button>
        ) : (
          <button className="primary primary-slot" disabled={!!busy} onClick={() => void machineAction(name, 'start')}>
            {busy === 'start' ? 'Starting…' : 'Start'}
          </button>
        )}
        <button disabled={!live || !!busy || settling} onClick={() => void machineAction(name, 'restart')}>
          Restart
        </button>
        <button disabled={!!busy} onClick={() => useStore.getState().show({ kind: 'wizard', edit: name })}>
          Edit
        </button>
        <LifecycleActions item={item} />
        <MenuButton label="More actions" buttonLabel="More ▾" items={more} />
      </div>
      {pending.length > 0 && (
        <div className="pending" role="status">
          <span>
            Saved changes to {pending.join(', ')} apply when {name} next starts.
          </span>
          {isUp(status) && (
            <button disabled={!!busy} onClick={() => void machineAction(name, 'restart')}>
              Restart now
            </button>
          )}
        </div>
      )}
      {asking && <ConfirmDestructive what={asking} item={item} onDone={() => setAsking(undefined)} />}
    </div>
  );
}
