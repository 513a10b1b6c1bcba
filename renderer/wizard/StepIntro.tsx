import type { WizardStep } from '../state/route';
import { ADVANCED } from './steps';

/** An advanced step's heading and what choosing there changes, in plain words, before any switch or table. */
export function StepIntro({ id }: { id: WizardStep }) {
  const step = ADVANCED.find((s) => s.id === id);
  if (!step) return null;
  return (
    <div className="step-intro">
      <h3>{step.label}</h3>
      <p>
        <strong>What this changes:</strong> {step.what}
      </p>
    </div>
  );
}
