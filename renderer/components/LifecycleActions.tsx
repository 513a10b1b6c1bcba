import { useEffect, useState } from 'react';
import type { MachineListItem } from '../../electron/contract/api';
import { getApi } from '../api/client';
import { cloneMachine, exportMachine, useLifecycle, watchLifecycle } from '../state/lifecycle';
import { useStore } from '../state/store';

type Panel = { kind: 'clone'; name: string } | { kind: 'export'; file: string; oci: boolean };

/** An OCI image is a plain tar: the suggested name follows the choice (NAME.tar.zst ↔ NAME-oci.tar). */
export const ociName = (file: string, oci: boolean): string =>
  oci ? file.replace(/(\.tar(\.(zst|xz|gz))?|\.t[gx]z|\.tzst)$/, '') + '-oci.tar' : file.replace(/-oci\.tar$/, '.tar.zst');

/** Clone… and Export… among the machine's actions, each with its field; their progress and Cancel are in the task area. */
export function LifecycleActions({ item }: { item: MachineListItem }) {
  const name = item.profile.name;
  const [panel, setPanel] = useState<Panel>();
  const [home, setHome] = useState<string>();
  const running = useLifecycle((s) => Object.values(s.jobs).some((j) => !j.done && ((j.kind === 'clone' && j.machine === name) || j.job === `export:${name}`)));
  useEffect(watchLifecycle, []);
  useEffect(
    () =>
      void getApi()
        .invoke('host.info')
        .then(
          (h) => setHome(h.home),
          () => undefined,
        ),
    [],
  );
  const start = async () => {
    if (!panel) return;
    setPanel(undefined);
    if (panel.kind === 'clone') {
      if (await cloneMachine(name, panel.name)) useStore.getState().show({ kind: 'machine', name: panel.name });
    } else await exportMachine(name, panel.file, panel.oci);
  };
  return (
    <>
      <button disabled={running} onClick={() => setPanel({ kind: 'clone', name: `${name}-copy`.slice(0, 63) })}>
        Clone…
      </button>
      <button disabled={running} onClick={() => setPanel({ kind: 'export', file: `${home ?? '/tmp'}/${name}.tar.zst`, oci: false })}>
        Export…
      </button>
      {panel && (
        <form
          className="lifecycle-panel"
          role="dialog"
          aria-label={panel.kind === 'clone' ? `Clone ${name}` : `Export ${name}`}
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          {panel.kind === 'clone' ? (
            <label>
              Name of the copy <input autoFocus value={panel.name} onChange={(e) => setPanel({ kind: 'clone', name: e.target.value })} />
            </label>
          ) : (
            <>
              <label>
                {panel.oci ? 'Image archive (.tar)' : 'Archive (.tar, .tar.zst or .tar.xz)'}{' '}
                <input autoFocus size={48} spellCheck={false} value={panel.file} onChange={(e) => setPanel({ ...panel, file: e.target.value })} />
              </label>
              <label>
                <input
                  type="checkbox"
                  checked={panel.oci}
                  onChange={(e) => setPanel({ ...panel, oci: e.target.checked, file: ociName(panel.file, e.target.checked) })}
                />{' '}
                An OCI image, for podman load or docker load
              </label>
            </>
          )}
          <span className="hint">
            {panel.kind === 'clone'
              ? 'Its own copy of the files and settings; port forwards are not copied.'
              : panel.oci
                ? 'The whole machine as one image layer, with systemd as its command; its Burrow settings are left out.'
                : 'The whole machine and its settings in one file; import it elsewhere as an image.'}
          </span>
          <button className="primary" type="submit">
            {panel.kind === 'clone' ? 'Clone' : 'Export'}
          </button>
          <button type="button" onClick={() => setPanel(undefined)}>
            Cancel
          </button>
        </form>
      )}
    </>
  );
}
