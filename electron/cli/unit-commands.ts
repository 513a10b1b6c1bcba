// `burrow enable|disable NAME`: start a machine at login (a unit file for the user's systemd), and
// `burrow unit-run NAME`, what that unit runs: prepare the machine and supervise it in one process.
import { isUp } from '../contract/machine-state';
import { disableMachine, enableMachine } from '../engine/autostart';
import { BurrowError } from '../engine/errors';
import { planMachine, prepareStart } from '../engine/machines';
import { loadProfile } from '../engine/profiles';
import type { Command } from './commands';
import { describeStatus, oneName, out } from './format';

/** The supervisor (node-pty and all), loaded only where a unit runs one in this process. */
const supervisor = (): typeof import('../supervisor/run-supervisor') => require('../supervisor/run-supervisor');

export const UNIT_COMMANDS: Command[] = [
  {
    name: 'enable',
    usage: 'enable NAME [--now]',
    summary: 'start the machine whenever you log in (a unit of your systemd user manager)',
    details: 'Writes ~/.config/systemd/user/burrow-NAME.service. With linger on (loginctl enable-linger) it starts at boot.',
    options: { now: { type: 'boolean', help: 'also start it now' } },
    async run(p, v) {
      const name = oneName(p, 'enable NAME [--now]');
      const r = await enableMachine(name, { now: !!v.now });
      out(`${name} starts at login: ${r.unit} (${r.file})`);
      for (const note of r.notes) out(`  ${note}`);
      if (r.started) out(`  ${name} ${describeStatus(r.started)}`);
      return r.started && !isUp(r.started) ? 1 : 0;
    },
  },
  {
    name: 'disable',
    usage: 'disable NAME [--now]',
    summary: 'stop starting the machine at login (it keeps running until stopped)',
    options: { now: { type: 'boolean', help: 'also stop it now' } },
    async run(p, v) {
      const name = oneName(p, 'disable NAME [--now]');
      const r = await disableMachine(name, { now: !!v.now });
      out(r.wasEnabled ? `${name} no longer starts at login` : `${name} was not set to start at login; nothing changed`);
      if (r.stopped) out(`  ${name} ${describeStatus(r.stopped)}`);
      return 0;
    },
  },
  {
    name: 'unit-run',
    usage: 'unit-run NAME',
    summary: "what an enabled machine's unit runs (systemd starts it; not for use by hand)",
    hidden: true,
    async run(p) {
      const name = oneName(p, 'unit-run NAME');
      const profile = loadProfile(name);
      const { plan } = planMachine(profile, { supervised: true });
      if (!process.env.BURROW_UNIT || plan.cgroup.unit !== process.env.BURROW_UNIT) {
        throw new BurrowError(
          'host-not-ready',
          `unit-run runs inside ${`burrow-${name}.service`} only, where the user manager answers`,
          `start the machine with: burrow start ${name}`,
        );
      }
      prepareStart(profile, plan).dispose();
      supervisor().runSupervisor(name);
      return new Promise<number>(() => undefined); // the supervisor exits the process when the machine ends
    },
  },
];
