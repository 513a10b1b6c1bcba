// Entry point of the detached supervisor process: `node supervisor.js NAME`.
// The starter wrote the launch plan to the machine's runtime folder; this process runs it to the end.
import { runSupervisor } from './run-supervisor';

const name = process.argv[2];
if (!name) {
  process.stderr.write('usage: supervisor NAME (started by burrow, not by hand)\n');
  process.exit(2);
}
runSupervisor(name);
