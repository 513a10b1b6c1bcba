import { useEffect, useState } from 'react';
import type { LoginInfo } from '../../electron/contract/api';
import type { MachineStatus } from '../../electron/contract/machine-state';
import { getApi } from '../api/client';
import type { MachineTerminals } from '../terminals/sessions';
import { TerminalView } from '../terminals/TerminalView';

const LIVE = ['starting', 'running', 'degraded', 'stopping'];

/** Why and when the machine ended, in one sentence (its supervisor recorded both). */
export function endedSentence(status: MachineStatus): string {
  const when = status.endedAt ? ` at ${new Date(status.endedAt).toLocaleString()}` : '';
  if (status.state === 'stopped') return `${status.name} is not running, and nothing of an earlier run is kept (its runtime folder empties when you log out).`;
  const code = status.exitCode !== undefined ? ` (exit ${status.exitCode})` : '';
  const why = status.message ?? (status.state === 'crashed' ? 'it crashed' : 'it ended');
  return `${status.name} ${status.state === 'crashed' ? 'crashed' : 'ended'}${when}: ${why}${code}.`;
}

/**
 * Nobody can log in on a console where no account has a password (the test images, most fresh images): say
 * so, point to the Shell tab (a root shell without a login) and to how a password is set.
 */
function LoginHint({ name, launch, onShell }: { name: string; launch?: string; onShell(): void }) {
  const [info, setInfo] = useState<LoginInfo>();
  useEffect(() => {
    setInfo(undefined);
    getApi()
      .invoke('machines.loginInfo', name)
      .then(setInfo, () => setInfo(undefined));
  }, [name, launch]);
  if (!info || info.withPassword.length || info.withoutPassword.length) return null;
  return (
    <p className="console-hint" role="note">
      No account in {name} has a password, so nobody can log in on this console. The Shell tab opens a root shell without one{' '}
      <button onClick={onShell}>Open a shell</button>. To log in here, set a password first: <code>passwd</code> in the Shell tab, or{' '}
      <code>burrow shell {name} -- passwd</code>.
    </p>
  );
}

/** PID 1's console while the machine runs (a login prompt once it booted); what its last boot printed once it ended. */
export function ConsoleTab({ status, terminals, onShell }: { status: MachineStatus; terminals: MachineTerminals; onShell(): void }) {
  const live = LIVE.includes(status.state);
  const up = status.state === 'running' || status.state === 'degraded';
  return (
    <div className="console-tab">
      {!live && (
        <p className={`ended-note ${status.state}`} role="status">
          {endedSentence(status)} Below: what its last boot printed on the console. Its journal is in the Journal tab.
        </p>
      )}
      {up && <LoginHint name={status.name} launch={status.startedAt} onShell={onShell} />}
      <TerminalView owner={terminals} which="console" label={`Console of ${status.name}`} />
    </div>
  );
}
