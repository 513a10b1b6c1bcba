import type { MachineStatus } from '../../electron/contract/machine-state';

export function StateChip({ status }: { status: MachineStatus }) {
  const text = status.state === 'degraded' ? `degraded (${status.failedUnits?.length ?? 0})` : status.state;
  return (
    <span className={`chip state-${status.state}`} data-state={status.state}>
      {text}
    </span>
  );
}
