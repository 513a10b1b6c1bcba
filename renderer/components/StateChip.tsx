import { stateLabel } from '../../electron/contract/describe';
import type { MachineStatus } from '../../electron/contract/machine-state';

export function StateChip({ status }: { status: MachineStatus }) {
  return (
    <span className={`chip state-${status.state}`} data-state={status.state}>
      {stateLabel(status)}
    </span>
  );
}
