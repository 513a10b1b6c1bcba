// The `burrow` command of a packaged app: a small shell script that runs the CLI on the app's own runtime
// in Node mode (see node-runtime.ts), as VS Code's `code` does. The .deb ships one as /usr/bin/burrow
// (resources/deb/burrow, checked against this generator by a test); an AppImage writes one to
// ~/.local/bin/burrow when the user asks (Help menu), pointing at the AppImage file itself.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-file';
import { BurrowError } from './errors';
import type { NodeCommand } from './node-runtime';
import { shellJoin, shellQuote } from './shell-quote';

/** The first lines of every script we write: how we recognise our own file before replacing it. */
export const BURROW_COMMAND_MARKER = '# burrow command of the Burrow desktop app';

export function burrowCommandScript(cli: NodeCommand, origin: string): string {
  // The origin is a comment: a newline in it (an AppImage file name can hold one) must not start a command.
  const comment = origin.replace(/[\x00-\x1f\x7f]/g, '?');
  const exports = Object.entries(cli.env).map(([k, v]) => `export ${k}=${shellQuote(v)}\n`);
  return [
    '#!/bin/sh\n',
    `${BURROW_COMMAND_MARKER} (${comment}): the CLI on the app's own runtime, no system Node needed.\n`,
    ...exports,
    `exec ${shellJoin([cli.file, ...cli.args])} "$@"\n`,
  ].join('');
}

export interface InstalledCommand {
  path: string;
  /** Whether that folder is on $PATH now (if not, the message says how to use it). */
  onPath: boolean;
}

/**
 * Writes ~/.local/bin/burrow (the XDG place for a user's executables) for an AppImage at `appImage`.
 * Refuses to replace anything it did not write itself: another `burrow` (npm link, a checkout) or a link.
 */
export function installBurrowCommand(cli: NodeCommand, appImage: string, home = os.homedir(), envPath = process.env.PATH ?? ''): InstalledCommand {
  const dir = path.join(home, '.local', 'bin');
  const target = path.join(dir, 'burrow');
  let existing: fs.Stats | undefined;
  try {
    existing = fs.lstatSync(target);
  } catch {
    /* not there yet */
  }
  if (existing && (!existing.isFile() || !fs.readFileSync(target, 'utf8').includes(BURROW_COMMAND_MARKER))) {
    const fix = `remove it first if you want this AppImage's burrow command: rm ${shellQuote(target)}`;
    throw new BurrowError('exists', `${target} exists and was not written by Burrow`, fix);
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const origin = `AppImage ${appImage}; if the AppImage moves, install the command again from it`;
  writeFileAtomic(target, burrowCommandScript(cli, origin), 0o755);
  fs.chmodSync(target, 0o755);
  const onPath = envPath.split(':').some((p) => p && path.resolve(p) === dir);
  return { path: target, onPath };
}
