import type { MachineProfile } from '../../electron/contract/profile';
import type { StepProps } from './Wizard';

export function CgroupStep({ draft, update, plan, planError }: StepProps) {
  return (
    <div>
      <fieldset>
        <legend>cgroup presentation</legend>
        {(['auto', 'unified', 'hybrid'] as MachineProfile['cgroups'][]).map((c) => (
          <label key={c} className="radio">
            <input type="radio" name="cgroups" checked={draft.cgroups === c} onChange={() => update({ cgroups: c })} /> {c}
            {c === 'auto' && ' (recommended: chosen from the host and the guest\'s systemd)'}
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
          <dd>{plan.mounts.filter((m) => m.origin === 'cgroup' && m.type === 'ro-bind').map((m) => m.dest).join(', ') || 'none'}</dd>
        </dl>
      ) : (
        <p className={planError ? 'error-text' : 'hint'}>{planError ?? 'Choose a valid rootfs first.'}</p>
      )}
    </div>
  );
}

export function ReviewStep({ plan, planError, errors }: StepProps) {
  const invalid = Object.entries(errors);
  return (
    <div className="review">
      {invalid.length > 0 && (
        <div className="banner error" role="alert">
          Fix these first:
          <ul>
            {invalid.map(([k, v]) => (
              <li key={k}>
                {k || 'profile'}: {v}
              </li>
            ))}
          </ul>
        </div>
      )}
      {planError && (
        <p className="error-text" role="alert">
          {planError}
        </p>
      )}
      {plan && (
        <>
          {plan.warnings.length > 0 && (
            <ul className="warnings" aria-label="Warnings">
              {plan.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
          <p className="hint">
            Id mapping: {plan.idMapping.description}. bwrap sets no-new-privileges: nobody inside becomes root with sudo or su.
          </p>
          <div className="command-head">
            <h3>The exact command</h3>
            <button onClick={() => void navigator.clipboard?.writeText(plan.commandLine)}>Copy</button>
          </div>
          <pre className="command" aria-label="The exact command" tabIndex={0}>
            {plan.commandLine}
          </pre>
        </>
      )}
    </div>
  );
}
