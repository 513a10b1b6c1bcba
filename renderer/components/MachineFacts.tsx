import { useEffect, useState } from 'react';
import type { MachineListItem, UsageView } from '../../electron/contract/api';
import { APPROXIMATE_USAGE, describeLimits, describePort, portUrl, usageParts } from '../../electron/contract/describe';
import { displayParts } from '../../electron/contract/display';
import { describeShare } from '../../electron/contract/share';
import { getApi } from '../api/client';

const USAGE_POLL_MS = 2000;

function UsageText({ usage, cpuPercent }: { usage: UsageView; cpuPercent?: number }) {
  return (
    <>
      {usageParts(usage, cpuPercent).map((part) => (
        <span key={part.split(' ')[0]}>{part}</span>
      ))}
      {usage.source === 'processes' && (
        <span className="hint" title={`Usage is ${APPROXIMATE_USAGE}.`}>
          approximate
        </span>
      )}
    </>
  );
}

/** Network, port forwards with links, limits and live usage, under the machine's title. */
export function MachineFacts({ item, up }: { item: MachineListItem; up: boolean }) {
  const { profile, status } = item;
  const [usage, setUsage] = useState<{ view: UsageView; at: number; cpuPercent?: number }>();
  useEffect(() => {
    if (!up) {
      setUsage(undefined);
      return;
    }
    let stopped = false;
    const poll = () =>
      getApi()
        .invoke('machines.usage', profile.name)
        .then((view) => {
          if (stopped) return;
          const at = performance.now();
          setUsage((prev) => {
            if (!view) return undefined;
            const cpuPercent = prev?.view.cpuUsec !== undefined && view.cpuUsec !== undefined ? ((view.cpuUsec - prev.view.cpuUsec) / ((at - prev.at) * 1000)) * 100 : undefined;
            return { view, at, cpuPercent };
          });
        })
        .catch(() => undefined);
    void poll();
    const t = setInterval(poll, USAGE_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [up, profile.name]);

  const { network, limits } = profile;
  const limited = !!(limits.memory || limits.pids || limits.cpus);
  return (
    <div className="machine-facts" aria-label="Network and resources" role="group">
      <span>
        network <strong>{network.mode}</strong>
      </span>
      {network.ports.map((p) => {
        const label = describePort(p);
        const title = `Open port ${p.guest} of ${profile.name} in the browser`;
        return p.protocol === 'tcp' && up ? (
          <a key={`${p.host}/${p.protocol}`} href={portUrl(p)} target="_blank" rel="noopener noreferrer" title={title}>
            {label}
          </a>
        ) : (
          <span key={`${p.host}/${p.protocol}`}>{label}</span>
        );
      })}
      {limited && <span>limits {describeLimits(limits)}</span>}
      {profile.shareUser?.uid !== undefined && (
        <span title="Your files in the machine show as this user's, and what it makes there is yours">
          you inside <strong>{profile.shareUser.name ?? `uid ${profile.shareUser.uid}`}</strong>
        </span>
      )}
      {profile.shares?.map((s) => (
        <span key={s.dest} title={describeShare(s)}>
          share {s.dest}
          {s.readOnly ? ' (read-only)' : ''}
        </span>
      ))}
      {profile.display && <span title={`burrow run ${profile.name} -- APP`}>display {displayParts(profile.display).join(', ') || 'none'}</span>}
      {status.limits?.unavailable && up && (
        <span className="warn-text" title={status.limits.unavailable}>
          limits not applied: {status.limits.unavailable}
        </span>
      )}
      {usage && <UsageText usage={usage.view} cpuPercent={usage.cpuPercent} />}
    </div>
  );
}
