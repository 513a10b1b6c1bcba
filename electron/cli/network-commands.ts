// `burrow network-holder NAME`: the process that holds a user network while machines are on it (started by
// the first machine's supervisor; see electron/engine/user-network.ts). Not for use by hand.
import type { Command } from './commands';
import { oneName } from './format';

/** The holder's server and plumbing, loaded only by the holder itself. */
const holder = (): typeof import('../engine/user-network-holder') => require('../engine/user-network-holder');

export const NETWORK_COMMANDS: Command[] = [
  {
    name: 'network-holder',
    usage: 'network-holder NAME',
    summary: 'hold a user network while machines are on it (started by their supervisors; not for use by hand)',
    hidden: true,
    async run(p) {
      await holder().runNetworkHolder(oneName(p, 'network-holder NAME'));
      return 0;
    },
  },
];
