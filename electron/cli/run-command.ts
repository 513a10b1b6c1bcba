// `burrow run NAME -- APP`: an app in the machine as your user there, on this desktop where the machine
// has the display switch on.
import { loadProfile } from '../engine/profiles';
import type { Command } from './commands';
import { oneName } from './format';

/** The app runner (it loads the display plan), only where `run` runs. */
const runner = (): typeof import('../engine/run-app') => require('../engine/run-app');

export const RUN_COMMANDS: Command[] = [
  {
    name: 'run',
    usage: 'run NAME -- APP [ARGS...]',
    summary: 'start APP in the machine as your user there (graphical apps show on your desktop with --display)',
    details:
      "APP runs as the machine's share user (burrow create --share-user), with HOME, XDG_RUNTIME_DIR and, where the machine\n" +
      'has the display on, WAYLAND_DISPLAY, DISPLAY, PULSE_SERVER set to what it was given. Its exit status is passed through.',
    async run(p) {
      const [name, ...cmd] = p;
      oneName(name ? [name] : [], 'run NAME -- APP [ARGS...]');
      return runner().runApp(loadProfile(name!), cmd);
    },
  },
];
