import { ALL_DISPLAY, DISPLAY_PART_INFO, DISPLAY_PARTS, type DisplayPart } from '../../electron/contract/display';
import type { StepProps } from './Wizard';

/** Graphical apps: the display switch and each part with what it passes in and what it exposes. */
export function DisplaySection({ draft, update, plan }: StepProps) {
  const display = draft.display;
  const toggle = (part: DisplayPart, on: boolean) => update({ display: { ...display!, [part]: on } });
  return (
    <section aria-label="Graphical apps">
      <h3>Graphical apps</h3>
      <label className="check">
        <input type="checkbox" checked={!!display} onChange={(e) => update({ display: e.target.checked ? { ...ALL_DISPLAY } : undefined })} /> Show apps from
        this machine on your desktop (<code>burrow run {draft.name || 'NAME'} -- APP</code>, as your user inside)
      </label>
      {display && (
        <ul className="display-parts" aria-label="What the display passes">
          {DISPLAY_PARTS.map((part) => {
            const info = DISPLAY_PART_INFO[part];
            return (
              <li key={part}>
                <label className="check">
                  <input type="checkbox" checked={display[part]} onChange={(e) => toggle(part, e.target.checked)} /> {info.label}: {info.passes}
                </label>
                <span className={`hint ${part === 'x11' ? 'risk' : ''}`}> It exposes: {info.exposes}.</span>
              </li>
            );
          })}
        </ul>
      )}
      {display && plan?.display && (
        <p className="hint" aria-label="Display on this desktop">
          On this desktop now: {plan.display.passed.length ? plan.display.passed.join(', ') : 'nothing to pass'}
          {plan.display.missing.length > 0 && ` (not here: ${plan.display.missing.join('; ')})`}. The machine takes what there is when it starts.
        </p>
      )}
    </section>
  );
}
