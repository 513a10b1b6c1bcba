import { useState } from 'react';
import type { SettingProblem } from '../../electron/contract/profile-problems';
import type { WizardStep } from '../state/route';
import { ADVANCED, BASICS, REVIEW, stepOfSetting, type StepInfo } from './steps';

/**
 * The wizard's steps: Basics and Review, with the advanced steps folded between them (one click opens
 * them). A step holding a problem is marked, and so is the fold while it hides one. The column keeps its
 * width whatever is chosen or marked, so nothing jumps as you go.
 */
export function StepNav({ step, problems, go }: { step: WizardStep; problems: SettingProblem[]; go(step: WizardStep): void }) {
  const marked = new Set(problems.map((p) => stepOfSetting(p.setting)));
  const inAdvanced = ADVANCED.some((s) => s.id === step);
  const [open, setOpen] = useState(inAdvanced);
  const hidden = ADVANCED.filter((s) => marked.has(s.id)).length;
  const link = (s: StepInfo) => (
    <li key={s.id}>
      <button className={`step${marked.has(s.id) ? ' has-problem' : ''}`} aria-current={s.id === step ? 'step' : undefined} onClick={() => go(s.id)}>
        <span>{s.label}</span>
        {marked.has(s.id) && (
          <span className="problem-mark" role="img" aria-label="needs a change">
            !
          </span>
        )}
      </button>
    </li>
  );
  return (
    <nav className="steps" aria-label="Steps">
      <ol>
        {link(BASICS)}
        <li className="step-group">
          <button className={`step fold${!open && hidden ? ' has-problem' : ''}`} aria-expanded={open || inAdvanced} onClick={() => setOpen(!open)}>
            <span>Advanced</span>
            {!open && !inAdvanced && hidden > 0 && (
              <span className="problem-mark" role="img" aria-label={`${hidden} step${hidden > 1 ? 's need' : ' needs'} a change`}>
                !
              </span>
            )}
            <span className="fold-arrow" aria-hidden="true">
              {open || inAdvanced ? '▾' : '▸'}
            </span>
          </button>
          {(open || inAdvanced) && <ol className="advanced-steps">{ADVANCED.map(link)}</ol>}
        </li>
        {link(REVIEW)}
      </ol>
    </nav>
  );
}
