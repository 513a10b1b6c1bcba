import { useEffect, useMemo, useState } from 'react';
import { MACHINE_NAME_RE, MACHINE_NAME_RULE } from '../../electron/contract/plain';
import { suggestName, uniqueName } from '../../electron/contract/profile-problems';
import { getApi, transport } from '../api/client';
import { refreshImages } from '../state/actions';
import { useStore } from '../state/store';
import { progressText, percentOf, useImageJobs } from '../state/tasks';
import { imagePatch } from './draft';
import { Field } from './Field';
import type { StepProps } from './Wizard';

const SUITES = [
  { suite: 'bookworm', label: 'Debian 12 bookworm' },
  { suite: 'trixie', label: 'Debian 13 trixie' },
  { suite: 'sid', label: 'Debian sid' },
];
const PACKAGE_RE = /^[a-z0-9][a-z0-9+.-]+$/;
const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** The problem with a new image's name, in the field's words (never the host's "invalid arguments for images.import"). */
function imageNameProblem(name: string, taken: string[]): string | undefined {
  if (!name) return 'Give the image a name.';
  if (!MACHINE_NAME_RE.test(name)) {
    const better = suggestName(name);
    return `${MACHINE_NAME_RULE[0]!.toUpperCase()}${MACHINE_NAME_RULE.slice(1)}${better ? `: "${better}" would do.` : '.'}`;
  }
  return taken.includes(name) ? `There is an image named "${name}" already: "${uniqueName(name, taken)}" is free.` : undefined;
}

/** Make an image: build Debian with mmdebstrap, or import a file or folder; progress and Cancel, here and in the task area. */
function NewImage({ onMade, initialSource, onMaking }: { onMade: (name: string) => void; initialSource?: string; onMaking?: (name?: string) => void }) {
  const images = useStore((s) => s.images);
  const taken = useMemo(() => images.map((i) => i.image.name), [images]);
  const [name, setName] = useState(() =>
    uniqueName(suggestName(initialSource ? basename(initialSource).replace(/\..*$/, '') : 'debian12') ?? 'imported', taken),
  );
  const [suite, setSuite] = useState('bookworm');
  const [packages, setPackages] = useState('');
  const [source, setSource] = useState(initialSource ?? '');
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const progress = useImageJobs((s) => (busy ? s.jobs[busy] : undefined));
  const nameProblem = busy ? undefined : imageNameProblem(name, taken);
  const badPackage = packages.split(/[\s,]+/).find((p) => p && !PACKAGE_RE.test(p));
  const sourceProblem = source && !source.startsWith('/') ? 'The path starts with / (it is a path on the host running Burrow).' : undefined;

  const run = async (work: () => Promise<unknown>) => {
    setBusy(name);
    onMaking?.(name);
    setError(undefined);
    try {
      await work();
      await refreshImages();
      onMade(name);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(undefined);
      onMaking?.(undefined);
    }
  };
  const create = () => run(() => getApi().invoke('images.create', { name, suite, packages: packages.split(/[\s,]+/).filter(Boolean) }));
  const importIt = () => run(() => getApi().invoke('images.import', { name, source, copy: false }));

  return (
    <div className="new-image">
      <Field label="Image name" error={nameProblem} hint="Lowercase letters, digits, - and _.">
        {(id, d) => (
          <input id={id} aria-describedby={d} aria-invalid={!!nameProblem} value={name} disabled={!!busy} onChange={(e) => setName(e.target.value)} />
        )}
      </Field>
      <fieldset>
        <legend>Build Debian (no root: mmdebstrap, about half a minute)</legend>
        <div className="row">
          <Field label="Suite">
            {(id) => (
              <select id={id} value={suite} disabled={!!busy} onChange={(e) => setSuite(e.target.value)}>
                {SUITES.map((s) => (
                  <option key={s.suite} value={s.suite}>
                    {s.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Extra packages"
            error={badPackage && `"${badPackage}" is not a Debian package name.`}
            hint="systemd, systemd-sysv and dbus are always in."
          >
            {(id, d) => (
              <input id={id} aria-describedby={d} value={packages} placeholder="apache2 curl" disabled={!!busy} onChange={(e) => setPackages(e.target.value)} />
            )}
          </Field>
        </div>
        <button className="primary" disabled={!!busy || !!nameProblem || !!badPackage} onClick={() => void create()}>
          Build Debian image
        </button>
      </fieldset>
      <fieldset>
        <legend>Or import a file or folder</legend>
        <Field
          label="Tarball, OCI image, docker save archive or rootfs folder"
          error={sourceProblem}
          hint="docker/podman export tarballs (plain, gz, xz, zstd) keep their owners."
        >
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              value={source}
              placeholder="/home/you/Downloads/rootfs.tar.gz"
              disabled={!!busy}
              onChange={(e) => setSource(e.target.value)}
              spellCheck={false}
            />
          )}
        </Field>
        <div className="row">
          {transport() === 'electron' && (
            <button
              disabled={!!busy}
              onClick={() =>
                void getApi()
                  .invoke('dialog.pickImageFile')
                  .then((p) => p && setSource(p))
              }
            >
              Browse…
            </button>
          )}
          <button disabled={!!busy || !!nameProblem || !source || !!sourceProblem} onClick={() => void importIt()}>
            Import
          </button>
        </div>
      </fieldset>
      {busy && (
        <div className="job" role="status" aria-live="polite">
          <progress max={100} value={progress && percentOf(progress)} aria-label={`Progress of ${busy}`} />
          <span>{progress ? progressText(progress) : 'starting…'}</span>
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

/** Basics' image choice: an image of the store (the newest is chosen for you), or a new one made here. */
export function ImageSource({ draft, update, errors, importSource, onMaking, touch, editing }: StepProps) {
  const images = useStore((s) => s.images);
  const machines = useStore((s) => s.machines);
  const loaded = useStore((s) => s.loaded);
  const [making, setMaking] = useState(!!importSource);
  useEffect(() => void refreshImages().catch(() => undefined), []);
  const choose = (name: string) => {
    // Read afresh: an image just made is in the store, not yet in this render's list.
    const all = useStore.getState().images;
    const item = all.find((i) => i.image.name === name);
    if (!item) return;
    // The name follows the image while it is still the one the wizard chose (the image's own, made unique).
    const ours = !editing && (!draft.name || all.some((i) => draft.name === i.image.name || draft.name.startsWith(`${i.image.name}-`)));
    update(imagePatch(draft, item, Object.keys(machines), ours));
    touch?.('image');
  };
  if (!loaded) return <p className="hint">Looking for images…</p>;
  const none = images.length === 0;
  return (
    <div className="image-source">
      {!none && (
        <Field label="Image" error={errors.image} hint={`${images.length} in your store.`}>
          {(id, d) => (
            <div className="row">
              <select
                id={id}
                aria-describedby={d}
                aria-invalid={!!errors.image}
                value={draft.image ?? ''}
                disabled={editing}
                onChange={(e) => choose(e.target.value)}
              >
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
              {!making && !editing && (
                <button aria-expanded={making} onClick={() => setMaking(true)}>
                  New image…
                </button>
              )}
            </div>
          )}
        </Field>
      )}
      {none && <p>You have no images yet. Build Debian without root, or import one you have; the machine starts from it.</p>}
      {none && errors.image && (
        <p className="error-text" role="alert">
          {errors.image}
        </p>
      )}
      {(making || none) && (
        <NewImage
          initialSource={importSource}
          onMaking={onMaking}
          onMade={(name) => {
            setMaking(false);
            choose(name);
          }}
        />
      )}
    </div>
  );
}
