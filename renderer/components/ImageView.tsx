import { useEffect, useRef, useState } from 'react';
import type { ImageReportView } from '../../electron/contract/api';
import { getApi } from '../api/client';
import { refreshImages } from '../state/actions';
import { useStore } from '../state/store';
import { ConfirmDialog } from './ConfirmDialog';

/** One image: what `burrow image inspect` says, the machines made from it, and what can be done. */
export function ImageView({ name }: { name: string }) {
  const item = useStore((s) => s.images.find((i) => i.image.name === name));
  const [report, setReport] = useState<ImageReportView>();
  const [error, setError] = useState<string>();
  const [asking, setAsking] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    getApi()
      .invoke('images.inspect', name)
      .then(setReport, (e: Error) => setError(e.message));
  }, [name]);
  if (!item) return <p className="pad">Image {name} is gone.</p>;
  const users = report?.machines ?? item.machines;
  const used = users.length > 0;
  const remove = async () => {
    setAsking(false);
    try {
      await getApi().invoke('images.remove', name);
      useStore.getState().notify('info', `Removed image ${name}.`);
      useStore.getState().show({ kind: 'home' });
      await refreshImages();
    } catch (e) {
      useStore.getState().notify('error', (e as Error).message);
    }
  };
  return (
    <section className="machine" aria-label={`Image ${name}`}>
      <div className="machine-head">
        <h2 ref={heading} tabIndex={-1}>
          {name}
        </h2>
        {report && (
          <span className={`chip ${report.verdict === 'ok' ? 'state-running' : 'state-crashed'}`}>{report.verdict === 'ok' ? 'bootable' : 'not bootable'}</span>
        )}
        <span className="meta">{item.image.distro}</span>
        <div className="actions" role="toolbar" aria-label="Image actions">
          <button className="primary" onClick={() => useStore.getState().show({ kind: 'wizard', image: name })}>
            New machine from this image
          </button>
          <button
            className="danger"
            disabled={used}
            title={used ? `Used by ${users.join(', ')}: delete those machines first` : undefined}
            onClick={() => setAsking(true)}
          >
            Delete…
          </button>
        </div>
      </div>
      {asking && (
        <ConfirmDialog
          title={`Delete image ${name}?`}
          onCancel={() => setAsking(false)}
          choices={[{ label: 'Delete', danger: true, onChoose: () => void remove() }]}
        >
          <p>
            {item.image.inPlace
              ? `Burrow forgets the image; its folder ${item.image.rootfs} and its files are kept.`
              : 'Its files are removed; no machine uses it. A new machine needs it built or imported again.'}
          </p>
        </ConfirmDialog>
      )}
      <div className="pad">
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        {report && (
          <>
            <dl className="facts" aria-label="What the image holds">
              {report.facts.map(([k, v]) => (
                <div key={k} className="fact">
                  <dt>{k}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
            {report.problems.map((p) => (
              <p key={p} className="error-text">
                {p}
              </p>
            ))}
            {report.fix && <p className="hint">Fix: {report.fix}</p>}
          </>
        )}
      </div>
    </section>
  );
}
