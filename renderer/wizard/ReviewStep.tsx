import { describePort } from '../../electron/contract/describe';
import { summarizeProfile } from '../../electron/contract/profile-summary';
import { RiskList } from '../components/RiskList';
import { useStore } from '../state/store';
import { ALL_STEPS, stepOfSetting } from './steps';
import type { StepProps } from './Wizard';

/** `deb12: Debian GNU/Linux 12 (bookworm), systemd 252`, or the folder with what it holds. */
function useSourceLabel({ draft, plan }: Pick<StepProps, 'draft' | 'plan'>): string | undefined {
  const image = useStore((s) => s.images.find((i) => i.image.name === draft.image)?.image);
  const holds = (distro?: string, systemd?: number) => [distro, systemd && `systemd ${systemd}`].filter(Boolean).join(', ');
  if (image) return `image ${image.name}${image.distro ? `: ${holds(image.distro, image.systemdVersion)}` : ''}`;
  if (draft.image || !draft.rootfs) return undefined;
  const facts = plan && holds(plan.rootfs.distro, plan.rootfs.systemdVersion);
  return `folder ${draft.rootfs}${facts ? `: ${facts}` : ''}`;
}

/**
 * Review: what the machine will be, in a summary first (name, source, storage, network and ports, limits and
 * whether this host applies them), what needs a change with the way to it, the risks, and the exact command
 * last, as it will run.
 */
export function ReviewStep({ draft, plan, planError, problems = [], go, host }: StepProps) {
  const source = useSourceLabel({ draft, plan });
  const summary = summarizeProfile(draft, { source, gaps: host?.limits });
  return (
    <div className="review">
      <dl className="summary" aria-label="Summary">
        {summary.map((row) => (
          <div key={row.label} className="fact">
            <dt>{row.label}</dt>
            <dd>
              {row.value || <span className="hint">not set yet</span>}
              {row.warning && <div className="warn-text">{row.warning}</div>}
            </dd>
          </div>
        ))}
      </dl>
      {problems.length > 0 && (
        <div className="banner error problems" role="group" aria-label="Needs a change">
          <strong>Before it can be created:</strong>
          <ul>
            {problems.map((p) => {
              const step = ALL_STEPS.find((s) => s.id === stepOfSetting(p.setting))!;
              return (
                <li key={p.setting}>
                  {p.label}: {p.message}{' '}
                  {step.id !== 'review' && (
                    <button className="link" onClick={() => go?.(step.id)}>
                      Go to {step.label}
                    </button>
                  )}
                </li>
              );
            })}
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
          <p className="hint">Id mapping: {plan.idMapping.description}. bwrap sets no-new-privileges: nobody inside becomes root with sudo or su.</p>
          <div className="command-head">
            <h3>The exact command</h3>
            <button onClick={() => void navigator.clipboard?.writeText(plan.commandLine)}>Copy</button>
          </div>
          <pre className="command" aria-label="The exact command" tabIndex={0}>
            {plan.commandLine}
          </pre>
          {plan.network.helper && (
            <p className="hint" aria-label="Network step">
              When Burrow starts it, PID 1 waits (bwrap <code>--block-fd</code>) until its network is up: <code>{plan.network.helper}</code>, where {'{PID}'} is
              PID 1&apos;s host pid.
              {plan.network.ports.length > 0 && ` Forwards: ${plan.network.ports.map(describePort).join(', ')}.`}
            </p>
          )}
        </>
      )}
    </div>
  );
}
