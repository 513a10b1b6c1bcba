import type { Limits } from '../../electron/contract/profile';
import type { HostLimitGaps } from '../../electron/contract/profile-summary';
import { Field } from './Field';
import { StepIntro } from './StepIntro';
import type { StepProps } from './Wizard';

/** A limit this host cannot apply says so at its field, as it is typed, not first at Review. */
function gapNote(value: unknown, why: string | undefined) {
  if (value === undefined || !why) return undefined;
  return <span className="warn-text">Not applied on this host: {why}. The machine still boots, without it.</span>;
}

/** Memory, processes and CPU: each empty for no limit, each said at once where this host cannot apply it. */
export function LimitsStep({ draft, update, errors, plan, host }: StepProps) {
  const gaps: HostLimitGaps = host?.limits ?? {};
  const set = (patch: Partial<Limits>) => {
    const next: Limits = { ...draft.limits, ...patch };
    for (const k of Object.keys(next) as (keyof Limits)[]) if (next[k] === undefined || next[k] === '') delete next[k];
    update({ limits: next });
  };
  const num = (v: string) => (v.trim() === '' ? undefined : Number(v));
  const { memory, pids, cpus } = draft.limits;
  return (
    <div>
      <StepIntro id="limits" />
      <fieldset>
        <legend>Resource limits (empty: no limit)</legend>
        <div className="limits">
          <Field label="Memory" error={errors['limits.memory']} hint={gapNote(memory, gaps.memory) ?? 'e.g. 512M or 2G'}>
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                aria-invalid={!!errors['limits.memory']}
                value={memory ?? ''}
                placeholder="no limit"
                onChange={(e) => set({ memory: e.target.value.toUpperCase() || undefined })}
              />
            )}
          </Field>
          <Field label="Processes and threads" error={errors['limits.pids']} hint={gapNote(pids, gaps.pids) ?? 'e.g. 512'}>
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                aria-invalid={!!errors['limits.pids']}
                type="number"
                min={16}
                value={pids ?? ''}
                placeholder="no limit"
                onChange={(e) => set({ pids: num(e.target.value) })}
              />
            )}
          </Field>
          <Field label="CPUs" error={errors['limits.cpus']} hint={gapNote(cpus, gaps.cpu) ?? 'e.g. 1.5'}>
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                aria-invalid={!!errors['limits.cpus']}
                type="number"
                min={0.01}
                step={0.25}
                value={cpus ?? ''}
                placeholder="no limit"
                onChange={(e) => set({ cpus: num(e.target.value) })}
              />
            )}
          </Field>
        </div>
        {plan && !plan.limits.unavailable && plan.limits.writes.length > 0 && (
          <p className="hint">Written before boot: {plan.limits.writes.map((w) => `${w.file}=${w.value}`).join(', ')}</p>
        )}
      </fieldset>
    </div>
  );
}
