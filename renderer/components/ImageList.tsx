import { useStore } from '../state/store';
import { ImageDiskUse, useDiskRefresh } from './DiskUse';

/** The image store in the sidebar: each image with the machines made from it. */
export function ImageList() {
  const images = useStore((s) => s.images);
  const view = useStore((s) => s.view);
  useDiskRefresh(images.map((i) => `${i.image.name}:${i.machines.length}`).join(','));
  if (!images.length) return <p className="hint pad">No images yet: the wizard builds or imports one.</p>;
  return (
    <ul className="machine-list">
      {images.map(({ image, machines }) => {
        const selected = view.kind === 'image' && view.name === image.name;
        return (
          <li key={image.name}>
            <button
              className={selected ? 'selected' : ''}
              aria-current={selected ? 'page' : undefined}
              onClick={() => useStore.getState().show({ kind: 'image', name: image.name })}
            >
              <span className="name" title={image.name}>
                {image.name}
              </span>
              <span className="chip">{machines.length ? `${machines.length} in use` : 'unused'}</span>
              <ImageDiskUse name={image.name} />
            </button>
          </li>
        );
      })}
    </ul>
  );
}
