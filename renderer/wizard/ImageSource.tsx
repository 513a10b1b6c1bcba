import { useEffect, useState } from 'react';
import type { ImageListItem } from '../../electron/contract/api';
import type { ImageProgress } from '../../electron/contract/image';
import type { StorageMode } from '../../electron/contract/profile';
import { formatBytes } from '../../electron/contract/format-units';
import { getApi, transport } from '../api/client';
import { refreshImages } from '../state/actions';
import { Field } from './Field';

const path = { basename: (p: string) => p.slice(p.lastIndexOf('/') + 1) };
import type { StepProps } from './Wizard';

const STORAGE: { mode: StorageMode; label: string; explain: string }[] = [
  { mode: 'persistent', label: 'Keep changes apart (recommended)', explain: 'The machine writes to its own layer over the image; the image stays pristine, and Reset discards the changes.' },
  { mode: 'ephemeral', label: 'Forget changes at stop', explain: 'A throw-away layer: every start begins from the image as it is.' },
  { mode: 'direct', label: 'Write into the image', explain: 'Changes go straight into the image folder, for every machine that uses it.' },
];

function ProgressLine({ p }: { p: ImageProgress }) {
  const pct = p.totalBytes ? Math.min(100, Math.floor((p.bytes / p.totalBytes) * 100)) : undefined;
  return (
    <div className="image-progress" role="status" aria-live="polite">
      <progress max={100} value={pct} aria-label={`Progress of ${p.name}`} />
      <span>
        {p.phase}
        {pct !== undefined ? ` · ${pct}% of ${formatBytes(p.totalBytes)}` : p.bytes ? ` · ${formatBytes(p.bytes)}` : ''}
        {p.entries ? ` · ${p.entries} files` : ''}
      </span>
    </div>
  );
}

/** Make an image: build Debian with mmdebstrap, or import a file or folder. Progress and Cancel included. */
function NewImage({ onMade, initialSource }: { onMade: (name: string) => void; initialSource?: string }) {
  const [name, setName] = useState(() => (initialSource ? path.basename(initialSource).replace(/\..*$/, '').toLowerCase().replace(/[^a-z0-9_-]/g, '-').slice(0, 63) || 'imported' : 'debian12'));
  const [suite, setSuite] = useState('bookworm');
  const [packages, setPackages] = useState('');
  const [source, setSource] = useState(initialSource ?? '');
  const [busy, setBusy] = useState<string>();
  const [progress, setProgress] = useState<ImageProgress>();
  const [error, setError] = useState<string>();
  useEffect(() => getApi().on('images.progress', (p) => p.name === busy && setProgress(p)), [busy]);

  const run = async (work: () => Promise<unknown>) => {
    setBusy(name);
    setError(undefined);
    setProgress(undefined);
    try {
      await work();
      void refreshImages();
      onMade(name);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(undefined);
    }
  };
  const create = () => run(() => getApi().invoke('images.create', { name, suite, packages: packages.split(/[\s,]+/).filter(Boolean) }));
  const importIt = () => run(() => getApi().invoke('images.import', { name, source, copy: false }));

  return (
    <div className="new-image">
      <Field label="Image name" hint="Lowercase letters, digits, - and _.">
        {(id, d) => <input id={id} aria-describedby={d} value={name} disabled={!!busy} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <fieldset>
        <legend>Build Debian (no root: mmdebstrap)</legend>
        <div className="row">
          <Field label="Suite">
            {(id) => (
              <select id={id} value={suite} disabled={!!busy} onChange={(e) => setSuite(e.target.value)}>
                <option value="bookworm">Debian 12 bookworm</option>
                <option value="trixie">Debian 13 trixie</option>
                <option value="sid">Debian sid</option>
              </select>
            )}
          </Field>
          <Field label="Extra packages" hint="systemd, systemd-sysv and dbus are always in.">
            {(id, d) => <input id={id} aria-describedby={d} value={packages} placeholder="apache2 curl" disabled={!!busy} onChange={(e) => setPackages(e.target.value)} />}
          </Field>
        </div>
        <button className="primary" disabled={!!busy || !name} onClick={() => void create()}>
          Build Debian image
        </button>
      </fieldset>
      <fieldset>
        <legend>Or import a file or folder</legend>
        <Field label="Tarball, OCI image, docker save archive or rootfs folder" hint="docker/podman export tarballs (plain, gz, xz, zstd) keep their owners.">
          {(id, d) => <input id={id} aria-describedby={d} value={source} placeholder="/home/you/Downloads/rootfs.tar.gz" disabled={!!busy} onChange={(e) => setSource(e.target.value)} spellCheck={false} />}
        </Field>
        {transport() === 'electron' && (
          <button disabled={!!busy} onClick={() => void getApi().invoke('dialog.pickImageFile').then((p) => p && setSource(p))}>
            Browse…
          </button>
        )}
        <button disabled={!!busy || !name || !source.startsWith('/')} onClick={() => void importIt()}>
          Import
        </button>
      </fieldset>
      {busy && (
        <div className="job">
          {progress ? <ProgressLine p={progress} /> : <p role="status">Starting…</p>}
          <button onClick={() => void getApi().invoke('images.cancel', busy)}>Cancel</button>
        </div>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** The Rootfs step's image choice: an image from the store (or a new one), and how the machine writes. */
export function ImageSource({ draft, update, importSource }: StepProps) {
  const [images, setImages] = useState<ImageListItem[]>();
  const [making, setMaking] = useState(!!importSource);
  const refresh = () => getApi().invoke('images.list').then(setImages, () => setImages([]));
  useEffect(() => void refresh(), []);

  const choose = (name: string) => {
    const item = images?.find((i) => i.image.name === name);
    if (item) update({ image: name, rootfs: item.image.rootfs, storage: draft.storage === 'direct' ? 'persistent' : draft.storage });
  };
  if (!images) return <p className="hint">Looking for images…</p>;
  return (
    <div>
      {images.length > 0 && !making ? (
        <Field label="Image" hint={`${images.length} in your store.`}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={draft.image ?? ''} onChange={(e) => choose(e.target.value)}>
              <option value="" disabled>
                Choose an image
              </option>
              {images.map(({ image }) => (
                <option key={image.name} value={image.name}>
                  {image.name}: {image.distro ?? 'unknown'}
                  {image.systemdVersion ? `, systemd ${image.systemdVersion}` : ''}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        !making && <p>You have no images yet. Build Debian without root, or import one you have.</p>
      )}
      {images.length > 0 && !making && <button onClick={() => setMaking(true)}>New image…</button>}
      {(making || images.length === 0) && (
        <NewImage
          initialSource={importSource}
          onMade={(name) => {
            setMaking(false);
            void getApi()
              .invoke('images.list')
              .then((list) => {
                setImages(list);
                const item = list.find((i) => i.image.name === name);
                if (item) update({ image: name, rootfs: item.image.rootfs, storage: draft.storage === 'direct' ? 'persistent' : draft.storage });
              });
          }}
        />
      )}
      {draft.image && <StorageChoice draft={draft} update={update} />}
    </div>
  );
}

export function StorageChoice({ draft, update }: Pick<StepProps, 'draft' | 'update'>) {
  return (
    <fieldset>
      <legend>Changes the machine makes</legend>
      {STORAGE.map((s) => (
        <label key={s.mode} className="radio">
          <input type="radio" name="storage" checked={draft.storage === s.mode} onChange={() => update({ storage: s.mode })} /> <strong>{s.label}</strong>
          <span className="hint"> {s.mode === 'direct' && !draft.image ? 'Changes go straight into the folder.' : s.explain}</span>
        </label>
      ))}
    </fieldset>
  );
}
