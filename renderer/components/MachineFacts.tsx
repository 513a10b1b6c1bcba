import { useEffect, useState } from 'react';
import type { MachineListItem, UsageView } from '../../electron/contract/api';
import { APPROXIMATE_USAGE, describeLimits, describePort, portUrl, usageParts } from '../../electron/contract/describe';
import { displayParts } from '../../electron/contract/display';
import { isLive } from '../../electron/contract/machine-state';
import { pendingChanges } from '../../electron/contract/profile-edit';
import { describeShare } from '../../electron/contract/share';
import { getApi } from '../api/client';

const USAGE_POLL_MS = 2000;

function UsageText({ usage, cpuPercent }: { usage: UsageView; cpuPercent?: number }) {
  return (
    <>
      {usageParts(usage, cpuPercent).map((part) => (
        <span key={part.split(' ')[0]} className="fact">
          {part}
        </span>
      ))}
      {usage.source === 'processes' && (
        <span className="hint" title={`Usage is ${APPROXIMATE_USAGE}.`}>
          approximate
        </span>
      )}
    </>
  );
}

/**
 * Network, port forwards, limits and live usage, under the machine's title, as the running machine has them:
 * a forward saved since it started is not a link until the restart that opens it.
 */
export function MachineFacts({ item, up }: { item: MachineListItem; up: boolean }) {
  const { profile, status } = item;
  const [usage, setUsage] = useState<{ view: UsageView; at: number; cpuPercent?: number }>();
  const [why, setWhy] = useState(false);
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
            const cpuPercent =
              prev?.view.cpuUsec !== undefined && view.cpuUsec !== undefined ? ((view.cpuUsec - prev.view.cpuUsec) / ((at - prev.at) * 1000)) * 100 : undefined;
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

  const live = isLive(status);
  // What the machine has now: the settings its launch started with, while it runs; else what is saved.
  const running = (live && item.applied) || profile;
  const pending = pendingChanges(live ? item.applied : undefined, profile);
  const notApplied = live ? status.limits?.unavailable : undefined;
  const limited = describeLimits(running.limits) !== 'none';
  const modeChange = running.network.mode !== profile.network.mode ? profile.network.mode : undefined;
  return (
    <div className="machine-facts" aria-label="Network and resources" role="group">
      <span className="fact">
        network <strong>{running.network.mode}</strong>
        {modeChange && <span className="pending-text"> ({modeChange} after restart)</span>}
      </span>
      {pending.ports.map(({ port, now }) => {
        const label = describePort(port);
        const key = `${port.host}/${port.protocol}/${now}`;
        if (now === 'waiting') {
          return (
            <span key={key} className="fact pending-text" title="Saved: nothing listens on it until the machine restarts">
              {label} (after restart)
            </span>
          );
        }
        if (now === 'leaving') {
          return (
            <span key={key} className="fact leaving" title="Removed from the settings: open until the machine restarts">
              {label} (until restart)
            </span>
          );
        }
        return port.protocol === 'tcp' && up ? (
          <a
            key={key}
            className="fact"
            href={portUrl(port)}
            target="_blank"
            rel="noopener noreferrer"
            title={`Open port ${port.guest} of ${profile.name} in the browser`}
          >
            {label}
          </a>
        ) : (
          <span key={key} className="fact">
            {label}
          </span>
        );
      })}
      {(limited || pending.nextLimits) && (
        <span className="fact">
          limits {describeLimits(running.limits)}
          {notApplied && limited && (
            <>
              {' '}
              <span className="warn-text">(not applied on this host)</span>{' '}
              <button className="link" aria-expanded={why} onClick={() => setWhy(!why)}>
                Why?
              </button>
            </>
          )}
          {pending.nextLimits && <span className="pending-text"> ({describeLimits(pending.nextLimits)} after restart)</span>}
        </span>
      )}
      {running.shareUser?.uid !== undefined && (
        <span className="fact" title="Your files in the machine show as this user's, and what it makes there is yours">
          you inside <strong>{running.shareUser.name ?? `uid ${running.shareUser.uid}`}</strong>
        </span>
      )}
      {running.shares?.map((s) => (
        <span key={s.dest} className="fact" title={describeShare(s)}>
          share {s.dest}
          {s.readOnly ? ' (read-only)' : ''}
        </span>
      ))}
      {running.display && (
        <span className="fact" title={`burrow run ${profile.name} -- APP`}>
          display {displayParts(running.display).join(', ') || 'none'}
        </span>
      )}
      {usage && <UsageText usage={usage.view} cpuPercent={usage.cpuPercent} />}
      {why && notApplied && (
        <p className="why" role="note">
          Limits are not applied because {notApplied}. The machine runs without them.
        </p>
      )}
    </div>
  );
}
