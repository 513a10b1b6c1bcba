import type { MachineProfile } from '../../electron/contract/profile';
import { StepIntro } from './StepIntro';
import type { StepProps } from './Wizard';

/** How the machine's systemd sees its cgroups: automatic, or one presentation forced; with what the host offers. */
export function CgroupStep(props: StepProps) {
  const { draft, update, plan, planError } = props;
  return (
    <div>
      <StepIntro id="cgroups" />
      <fieldset>
        <legend>cgroup presentation</legend>
        {(['auto', 'unified', 'hybrid'] as MachineProfile['cgroups'][]).map((c) => (
          <label key={c} className="radio">
            <input type="radio" name="cgroups" checked={draft.cgroups === c} onChange={() => update({ cgroups: c })} /> {c}
            {c === 'auto' && " (recommended: chosen from the host and the guest's systemd)"}
          </label>
        ))}
      </fieldset>
      {plan ? (
        <dl className="facts" aria-label="cgroups found">
          <dt>Host layout</dt>
          <dd>{plan.cgroup.hostLayout}</dd>
          <dt>Presentation</dt>
          <dd>
            {plan.cgroup.presentation}: {plan.cgroup.reason}
          </dd>
          <dt>Writable (delegated to this machine)</dt>
          <dd>
            {plan.cgroup.dirs.map((d) => (
              <div key={d.hostDir}>
                <code>{d.hostDir}</code> ({d.hierarchy})
              </div>
            ))}
          </dd>
          <dt>Read-only</dt>
          <dd>
            {plan.mounts
              .filter((m) => m.origin === 'cgroup' && m.type === 'ro-bind')
              .map((m) => m.dest)
              .join(', ') || 'none'}
          </dd>
        </dl>
      ) : (
        <p className={planError ? 'error-text' : 'hint'}>{planError ?? 'What this host and image get shows once the basics are filled in.'}</p>
      )}
    </div>
  );
}
