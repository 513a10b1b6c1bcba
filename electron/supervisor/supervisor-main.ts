// Entry point of the detached supervisor process: `node supervisor.js NAME`.
// The starter wrote the launch plan to the machine's runtime folder; this process runs it to the end.
// `node supervisor.js --spare`: a supervisor started ahead by a long-running host (spare-supervisor.ts),
// loaded and waiting for the name of the machine it is to run on stdin; the host going away first (its
// end of the pipe closing) ends it.
import { runSupervisor } from './run-supervisor';

const arg = process.argv[2];
if (!arg) {
  process.stderr.write('usage: supervisor NAME (started by burrow, not by hand)\n');
  process.exit(2);
}
if (arg === '--spare') {
  let line = '';
  const onData = (chunk: Buffer) => {
    line += chunk.toString('utf8');
    const end = line.indexOf('\n');
    if (end < 0) return void (line.length > 256 && process.exit(2));
    const name = line.slice(0, end);
    process.stdin.off('data', onData);
    process.stdin.off('end', onEnd);
    process.stdin.destroy(); // from here on the machine's supervisor outlives the host
    if (!name || name.includes('/') || name === '.' || name === '..') process.exit(2);
    runSupervisor(name);
  };
  const onEnd = () => process.exit(0);
  process.stdin.on('data', onData);
  process.stdin.on('end', onEnd);
  // What every supervisor needs, loaded now rather than on the machine's start.
  require('node-pty');
  require('@burrow/unix-dgram');
} else {
  runSupervisor(arg);
}
