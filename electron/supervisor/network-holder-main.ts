// Entry point of a user network's holder: `node network-holder.js NAME`, started by the first machine's
// supervisor on that network (electron/engine/user-network.ts says why there is one). It runs until the
// network has been empty for a moment.
import { runNetworkHolder } from '../engine/user-network-holder';

const name = process.argv[2];
if (!name) {
  process.stderr.write('usage: network-holder NAME (started by burrow, not by hand)\n');
  process.exit(2);
}
runNetworkHolder(name).then(
  () => (process.exitCode = 0),
  (e) => {
    process.stderr.write(`network ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
