import { useEffect, useState } from 'react';
import type { RootfsView } from '../../electron/contract/api';
import { getApi, transport } from '../api/client';
import { Field } from './Field';
import type { StepProps } from './Wizard';

/** A machine made from a folder: its path (completed from the host as it is typed) and what the folder holds. */
export function FolderSource({ draft, update, errors }: StepProps) {
  const [info, setInfo] = useState<RootfsView>();
  const [suggestions, setSuggestions] = useState<string[]>([]);

  useEffect(() => {
    if (!draft.rootfs.startsWith('/')) {
      setInfo(undefined);
      return;
    }
    const t = setTimeout(
      () =>
        void getApi()
          .invoke('rootfs.inspect', draft.rootfs)
          .then(setInfo, () => setInfo(undefined)),
      200,
    );
    return () => clearTimeout(t);
  }, [draft.rootfs]);

  useEffect(() => {
    if (!draft.rootfs) return setSuggestions([]);
    const t = setTimeout(
      () =>
        void getApi()
          .invoke('fs.complete', draft.rootfs)
          .then(setSuggestions, () => setSuggestions([])),
      150,
    );
    return () => clearTimeout(t);
  }, [draft.rootfs]);

  return (
    <div>
      <Field
        label="Folder"
        error={errors.rootfs ?? info?.error}
        hint={
          transport() === 'web'
            ? 'The folder that holds the image (its /usr, /etc). Type a path; suggestions come from the host.'
            : 'Drop a folder onto the window, or type its path.'
        }
      >
        {(id, d) => (
          <>
            <input
              id={id}
              aria-describedby={d}
              aria-invalid={!!(errors.rootfs ?? info?.error)}
              list={`${id}-list`}
              value={draft.rootfs}
              placeholder="/home/you/images/debian12"
              onChange={(e) => update({ rootfs: e.target.value })}

              spellCheck={false}
            />
            <datalist id={`${id}-list`}>
              {suggestions.map((s) => (
                <option key={s} value={s.endsWith('/') && s !== '/' ? s.slice(0, -1) : s} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      {info && !info.error && (
        <dl className="facts" aria-label="What the image holds">
          <dt>Distribution</dt>
          <dd>{info.distro ?? 'unknown (no os-release)'}</dd>
          <dt>Init</dt>
          <dd>{info.init?.join(' ') ?? 'none found'}</dd>
          <dt>systemd</dt>
          <dd>
            {info.systemdVersion ? `${info.systemdVersion}${info.systemdVersion >= 256 ? ' (needs the unified cgroup presentation)' : ''}` : 'version unknown'}
          </dd>
          <dt>Ownership</dt>
          <dd>{info.ownership.length ? info.ownership.join('; ') : 'consistent with your id mapping'}</dd>
        </dl>
      )}
    </div>
  );
}
