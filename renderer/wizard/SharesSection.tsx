import { useState } from 'react';
import { isResolved, type Share } from '../../electron/contract/share';
import { parseShareUser } from '../../electron/contract/share-schema';
import { Field } from './Field';
import type { StepProps } from './Wizard';

/** The share user as typed: NAME or UID, or empty for the default (uid 1000, made with your login name). */
const typed = (u: StepProps['draft']['shareUser']): string => u?.name ?? (u?.uid !== undefined ? String(u.uid) : '');

/**
 * Shared folders (the mounts step): your folders, owned inside by your user there, and who that user is.
 * A machine's share user is fixed once it is made: what it made there is yours on the host.
 */
export function SharesSection({ draft, update, errors, editing, plan }: StepProps) {
  const shares = draft.shares ?? [];
  const set = (next: Share[]) => update({ shares: next.length ? next : undefined });
  const change = (i: number, patch: Partial<Share>) => set(shares.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const fixed = editing && isResolved(draft.shareUser);
  const [userText, setUserText] = useState(typed(draft.shareUser));
  const [userError, setUserError] = useState<string>();
  const setUser = (text: string) => {
    setUserText(text);
    if (!text.trim()) {
      setUserError(undefined);
      return update({ shareUser: undefined });
    }
    const parsed = parseShareUser(text.trim());
    setUserError('error' in parsed ? parsed.error.replace(/^--share-user "[^"]*": /, '') : undefined);
    if ('value' in parsed) update({ shareUser: parsed.value });
  };
  const who = plan?.idMapping.user;
  return (
    <section aria-label="Shared folders">
      <h3>Shared folders</h3>
      <p className="hint">
        A folder of yours, seen inside as owned by your user there, never by root or nobody: what that user makes in it is yours on the host. Root in the
        machine is a subordinate id, not your account. Read-only refuses every write.
      </p>
      {shares.length > 0 && (
        <table className="mount-table" aria-label="Shared folders">
          <thead>
            <tr>
              <th scope="col">Your folder</th>
              <th scope="col">Inside</th>
              <th scope="col">Read-only</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shares.map((s, i) => {
              const err = (k: string) => errors[`shares.${i}.${k}`];
              return (
                <tr key={i}>
                  <td>
                    <input
                      aria-label={`Share ${i + 1} host folder`}
                      aria-invalid={!!err('source')}
                      value={s.source}
                      onChange={(e) => change(i, { source: e.target.value })}
                    />
                    {err('source') && (
                      <div className="error-text" role="alert">
                        {err('source')}
                      </div>
                    )}
                  </td>
                  <td>
                    <input
                      aria-label={`Share ${i + 1} folder inside`}
                      aria-invalid={!!err('dest')}
                      value={s.dest}
                      onChange={(e) => change(i, { dest: e.target.value })}
                    />
                    {err('dest') && (
                      <div className="error-text" role="alert">
                        {err('dest')}
                      </div>
                    )}
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Share ${i + 1} read-only`}
                      checked={s.readOnly}
                      onChange={(e) => change(i, { readOnly: e.target.checked })}
                    />
                  </td>
                  <td className="row-actions">
                    <button aria-label={`Remove share ${i + 1}`} onClick={() => set(shares.filter((_, j) => j !== i))}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <button onClick={() => set([...shares, { source: '', dest: '', readOnly: false }])}>+ Share a folder</button>
      <Field
        label="Your user inside (name or uid)"
        error={userError ?? errors.shareUser}
        hint={
          fixed
            ? `uid ${draft.shareUser!.uid} (${draft.shareUser!.name}), fixed for this machine: its files are yours on the host.`
            : who
              ? `uid ${who.uid}${who.name ? ` (${who.name})` : ''}: used where the image has it, made at boot where it has not.`
              : 'Empty: uid 1000, named as you, made at boot where the image lacks it.'
        }
      >
        {(id, describedBy) => (
          <input id={id} aria-describedby={describedBy} value={userText} placeholder="1000" disabled={fixed} onChange={(e) => setUser(e.target.value)} />
        )}
      </Field>
    </section>
  );
}
