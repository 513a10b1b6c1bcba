import { isBindMountType, MOUNT_TYPES } from '../../electron/contract/mounts';
import { MOUNT_PRESETS, type Mount } from '../../electron/contract/profile';
import { DisplaySection } from './DisplaySection';
import { SharesSection } from './SharesSection';
import { StepIntro } from './StepIntro';
import type { StepProps } from './Wizard';

function blank(type: Mount['type'], dest: string): Mount {
  if (isBindMountType(type)) return { type, source: '/', dest };
  if (type === 'symlink') return { type, target: '', dest };
  return { type, dest } as Mount;
}

export function MountsStep(props: StepProps) {
  const { draft, update, errors } = props;
  const mounts = draft.mounts;
  const set = (next: Mount[]) => update({ mounts: next });
  const change = (i: number, patch: Record<string, string | undefined>) => set(mounts.map((m, j) => (j === i ? ({ ...m, ...patch } as Mount) : m)));
  const move = (i: number, by: number) => {
    const next = [...mounts];
    const [m] = next.splice(i, 1);
    next.splice(i + by, 0, m!);
    set(next);
  };
  return (
    <div>
      <StepIntro id="mounts" />
      <p className="hint">
        Applied in order, after the rootfs at /. Burrow adds the cgroup mounts and /run/host itself (see Review). remount-ro entries apply last.
      </p>
      <div className="presets" role="group" aria-label="Mount presets">
        {MOUNT_PRESETS.map((p) => (
          <button key={p.label} onClick={() => set([...mounts, { ...p.mount }])}>
            + {p.label}
          </button>
        ))}
        <button onClick={() => set([...mounts, { type: 'bind', source: '', dest: '' }])}>+ Bind a host folder</button>
      </div>
      <div className="table-scroll">
        <table className="mount-table" aria-label="Mounts">
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Source</th>
              <th scope="col">Destination</th>
              <th scope="col">Options</th>
              <th scope="col">Order</th>
            </tr>
          </thead>
          <tbody>
            {mounts.map((m, i) => {
              const err = (k: string) => errors[`mounts.${i}.${k}`];
              const shown = (message: string | undefined) =>
                message && (
                  <div className="error-text" role="alert">
                    {message}
                  </div>
                );
              return (
                <tr key={i}>
                  <td>
                    <select
                      aria-label={`Mount ${i + 1} type`}
                      value={m.type}
                      onChange={(e) => set(mounts.map((x, j) => (j === i ? blank(e.target.value as Mount['type'], x.dest) : x)))}
                    >
                      {MOUNT_TYPES.map((t) => (
                        <option key={t}>{t}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {'source' in m && (
                      <input
                        aria-label={`Mount ${i + 1} source`}
                        aria-invalid={!!err('source')}
                        value={m.source}
                        onChange={(e) => change(i, { source: e.target.value })}
                      />
                    )}
                    {'target' in m && (
                      <input aria-label={`Mount ${i + 1} link target`} value={m.target} onChange={(e) => change(i, { target: e.target.value })} />
                    )}
                    {shown(err('source'))}
                  </td>
                  <td>
                    <input
                      aria-label={`Mount ${i + 1} destination`}
                      aria-invalid={!!err('dest')}
                      value={m.dest}
                      onChange={(e) => change(i, { dest: e.target.value })}
                    />
                    {shown(err('dest'))}
                  </td>
                  <td>
                    {m.type === 'tmpfs' && (
                      <>
                        <input
                          className="short"
                          aria-label={`Mount ${i + 1} size`}
                          placeholder="size"
                          value={m.size ?? ''}
                          onChange={(e) => change(i, { size: e.target.value || undefined })}
                        />
                        <input
                          className="short"
                          aria-label={`Mount ${i + 1} mode`}
                          placeholder="mode"
                          value={m.mode ?? ''}
                          onChange={(e) => change(i, { mode: e.target.value || undefined })}
                        />
                        {shown(err('size') ?? err('mode'))}
                      </>
                    )}
                  </td>
                  <td className="row-actions">
                    <button aria-label={`Move mount ${i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                      ↑
                    </button>
                    <button aria-label={`Move mount ${i + 1} down`} disabled={i === mounts.length - 1} onClick={() => move(i, 1)}>
                      ↓
                    </button>
                    <button aria-label={`Remove mount ${i + 1}`} onClick={() => set(mounts.filter((_, j) => j !== i))}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <SharesSection {...props} />
      <DisplaySection {...props} />
    </div>
  );
}
