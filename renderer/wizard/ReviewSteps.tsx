import { describePort } from '../../electron/contract/describe';
import type { Limits, MachineProfile } from '../../electron/contract/profile';
import { RiskList } from '../components/RiskList';
import { Field } from './Field';
import type { StepProps } from './Wizard';

function LimitsFields({ draft, update, errors, plan }: StepProps) {
  const set = (patch: Partial<Limits>) => {
    const next: Limits = { ...draft.limits, ...patch };
    for (const k of Object.keys(next) as (keyof Limits)[]) if (next[k] === undefined || next[k] === '') delete next[k];
    update({ limits: next });
  };
  const num = (v: string) => (v.trim() === '' ? undefined : Number(v));
  return (
    <fieldset>
      <legend>Resource limits (empty: no limit)</legend>
      <div className="limits">
        <Field label="Memory" error={errors['limits.memory']} hint="e.g. 512M or 2G">
          {(id, d) => <input id={id} aria-describedby={d} value={draft.limits.memory ?? ''} placeholder="no limit" onChange={(e) => set({ memory: e.target.value.toUpperCase() || undefined })} />}
        </Field>
        <Field label="Processes and threads" error={errors['limits.pids']} hint="e.g. 512">
          {(id, d) => <input id={id} aria-describedby={d} type="number" min={16} value={draft.limits.pids ?? ''} placeholder="no limit" onChange={(e) => set({ pids: num(e.target.value) })} />}
        </Field>
        <Field label="CPUs" error={errors['limits.cpus']} hint="e.g. 1.5">
          {(id, d) => <input id={id} aria-describedby={d} type="number" min={0.01} step={0.25} value={draft.limits.cpus ?? ''} placeholder="no limit" onChange={(e) => set({ cpus: num(e.target.value) })} />}
        </Field>
      </div>
      {plan?.limits.unavailable && (
        <p className="banner warning" role="status">
          These limits will not be applied on this host: {plan.limits.unavailable}. The machine still boots.
        </p>
      )}
      {plan && !plan.limits.unavailable && plan.limits.writes.length > 0 && (
        <p className="hint">
          Written before boot: {plan.limits.writes.map((w) => `${w.file}=${w.value}`).join(', ')}
        </p>
      )}
    </fieldset>
  );
}

export function CgroupStep(props: StepProps) {
  const { draft, update, plan, planError } = props;
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
      <LimitsFields {...props} />
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
          <RiskList risks={plan.risks} />
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
          {plan.network.helper && (
            <p className="hint" aria-label="Network step">
              When Burrow starts it, PID 1 waits (bwrap <code>--block-fd</code>) until its network is up: <code>{plan.network.helper}</code>, where {'{PID}'} is PID 1&apos;s host pid.
              {plan.network.ports.length > 0 && ` Forwards: ${plan.network.ports.map(describePort).join(', ')}.`}
            </p>
          )}
        </>
      )}
    </div>
  );
}
