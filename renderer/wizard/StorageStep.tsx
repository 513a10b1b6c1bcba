import { FOLDER_STORAGE, STORAGE_CHOICES } from '../../electron/contract/profile-summary';
import type { StorageMode } from '../../electron/contract/profile';
import { StepIntro } from './StepIntro';
import type { StepProps } from './Wizard';

/** The recommended one first. */
const ORDER: StorageMode[] = ['persistent', 'ephemeral', 'direct'];

/** Where the machine's changes go: its own layer (the default for an image), a throw-away one, or the files themselves. */
export function StorageStep({ draft, update }: StepProps) {
  return (
    <div>
      <StepIntro id="storage" />
      <fieldset>
        <legend>Changes the machine makes</legend>
        {ORDER.map((mode) => {
          const choice = mode === 'direct' && !draft.image ? FOLDER_STORAGE : STORAGE_CHOICES[mode];
          return (
            <label key={mode} className="radio">
              <input type="radio" name="storage" checked={draft.storage === mode} onChange={() => update({ storage: mode })} /> <strong>{choice.label}</strong>
              <span className="hint"> {choice.explain}</span>
            </label>
          );
        })}
      </fieldset>
    </div>
  );
}
