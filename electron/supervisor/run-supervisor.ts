// Runs one machine's supervisor in this process until the machine ends: the entry point of the detached
// supervisor (supervisor-main.ts) and of an enabled machine's unit (`burrow unit-run`).
import * as fs from 'node:fs';
import { runtimeFiles } from '../engine/runtime-state';
import { Supervisor, type SupervisorInput } from './supervisor';

export function runSupervisor(name: string): void {
  // The plan says what to run: it is read only from a runtime folder that is checked to be ours alone.
  let input: SupervisorInput;
  try {
    input = JSON.parse(fs.readFileSync(runtimeFiles(name).plan, 'utf8')) as SupervisorInput;
  } catch (e) {
    process.stderr.write(`supervisor of ${name}: cannot read its launch plan: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const supervisor = new Supervisor(input);
  // Terminal signals are not ours: the supervisor has no terminal. SIGTERM asks for a clean stop (it is
  // also what `systemctl --user stop burrow-NAME` sends).
  process.on('SIGHUP', () => undefined);
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => supervisor.stop());
  process.on('uncaughtException', (e) => {
    process.stderr.write(`supervisor of ${name}: ${e.stack ?? e}\n`);
    supervisor.kill();
    setTimeout(() => process.exit(1), 200);
  });
  supervisor.start();
}
