import { useEffect, useState } from 'react';
import type { MachineListItem, UsageView } from '../../electron/contract/api';
import { formatBytes, formatCpuTime } from '../../electron/contract/format-units';
import { getApi } from '../api/client';

const USAGE_POLL_MS = 2000;

function UsageText({ usage, cpuPercent }: { usage: UsageView; cpuPercent?: number }) {
  const of = (v: number | undefined, f: (n: number) => string) => (v !== undefined ? ` / ${f(v)}` : '');
  return (
    <>
      {usage.memoryBytes !== undefined && <span>memory {formatBytes(usage.memoryBytes)}{of(usage.memoryMaxBytes, formatBytes)}</span>}
      {usage.pids !== undefined && <span>tasks {usage.pids}{of(usage.pidsMax, String)}</span>}
      {usage.cpuUsec !== undefined && (
        <span>
          cpu {cpuPercent !== undefined ? `${cpuPercent.toFixed(0)} %` : formatCpuTime(usage.cpuUsec)}
          {usage.cpuMax !== undefined && ` of ${usage.cpuMax} CPUs`}
        </span>
      )}
      {usage.source === 'processes' && <span className="hint" title="No cgroup controllers are delegated on this host: figures are summed from the machine's processes (shared memory counted more than once).">approximate</span>}
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
  const limitText = [limits.memory && `memory ${limits.memory}`, limits.pids && `${limits.pids} tasks`, limits.cpus && `${limits.cpus} CPUs`].filter(Boolean).join(', ');
  return (
    <div className="machine-facts" aria-label="Network and resources" role="group">
      <span>
        network <strong>{network.mode}</strong>
      </span>
      {network.ports.map((p) => {
        const label = `${p.address === 'all' ? '0.0.0.0' : '127.0.0.1'}:${p.host} → ${p.guest}/${p.protocol}`;
        return p.protocol === 'tcp' && up ? (
          <a key={`${p.host}/${p.protocol}`} href={`http://127.0.0.1:${p.host}/`} target="_blank" rel="noopener noreferrer" title={`Open port ${p.guest} of ${profile.name} in the browser`}>
            {label}
          </a>
        ) : (
          <span key={`${p.host}/${p.protocol}`}>{label}</span>
        );
      })}
      {limitText && <span>limits {limitText}</span>}
      {status.limits?.unavailable && up && (
        <span className="warn-text" title={status.limits.unavailable}>
          limits not applied: {status.limits.unavailable}
        </span>
      )}
      {usage && <UsageText usage={usage.view} cpuPercent={usage.cpuPercent} />}
    </div>
  );
}
