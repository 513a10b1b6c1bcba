import { Field } from './Field';
import { FolderSource } from './FolderSource';
import { ImageSource } from './ImageSource';
import { ADVANCED, stepSummary } from './steps';
import type { StepProps } from './Wizard';

/**
 * The two fields a newcomer fills (the name, and the image or folder the machine boots), then every
 * advanced step folded to one line: its current choice, what it changes, one click to open it.
 */
export function BasicsStep(props: StepProps) {
  const { draft, update, errors, editing, source = 'image', setSource, go, host } = props;
  return (
    <div className="basics">
      <Field label="Machine name" error={errors.name} hint="Lowercase letters, digits, - and _. It is also the machine's hostname.">
        {(id, d) => (
          <input
            id={id}
            aria-describedby={d}
            aria-invalid={!!errors.name}
            value={draft.name}
            disabled={editing}
            autoFocus={!editing}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => update({ name: e.target.value, hostname: e.target.value.replace(/_/g, '-') || 'machine' })}
          />
        )}
      </Field>
      <fieldset className="segmented" disabled={editing}>
        <legend>Start from</legend>
        <label className="radio">
          <input type="radio" name="from" checked={source === 'image'} onChange={() => setSource?.('image')} /> an image
        </label>
        <label className="radio">
          <input type="radio" name="from" checked={source === 'folder'} onChange={() => setSource?.('folder')} /> a folder
        </label>
      </fieldset>
      {source === 'image' ? <ImageSource {...props} /> : <FolderSource {...props} />}
      <section className="advanced-overview" aria-labelledby="advanced-title">
        <h3 id="advanced-title">Advanced settings</h3>
        <p className="hint">Every one has a default that boots a typical image. Open one only to change it.</p>
        <ul>
          {ADVANCED.map((s) => (
            <li key={s.id}>
              <button className="advanced-row" onClick={() => go?.(s.id)} aria-describedby={`what-${s.id}`}>
                <span className="row-label">{s.label}</span>
                <span className="row-value">{stepSummary(s.id, draft, host?.limits)}</span>
              </button>
              <p className="hint what" id={`what-${s.id}`}>
                {s.what}
              </p>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
