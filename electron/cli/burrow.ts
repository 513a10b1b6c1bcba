// The `burrow` command line: the engine for terminals and scripts.
import { parseArgs } from 'node:util';
import { BurrowError, errorMessage, isBurrowError } from '../engine/errors';
import { COMMANDS, type Command } from './commands';
import { EXIT, exitCodeHelp } from './exit-codes';
import { err } from './format';

function usage(): string {
  const shown = COMMANDS.filter((c) => !c.hidden);
  const width = Math.max(...shown.map((c) => c.usage.length));
  return [
    'burrow: boot systemd-based OS images in bubblewrap, as an ordinary user',
    '',
    'usage: burrow COMMAND [options]   (burrow COMMAND --help for its options)',
    '',
    ...shown.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    exitCodeHelp(),
  ].join('\n');
}

function commandHelp(c: Command): string {
  const opts = Object.entries(c.options ?? {}).map(
    ([name, o]) => `  --${name}${o.type === 'string' ? ' VALUE' : ''}${o.multiple ? ' (repeatable)' : ''}${o.help ? `  ${o.help}` : ''}`,
  );
  return [`usage: burrow ${c.usage}`, '', c.summary, ...(c.details ? ['', c.details] : []), ...(opts.length ? ['', 'options:', ...opts] : [])].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version') {
    process.stdout.write('burrow 0.1.0\n');
    return 0;
  }
  // Two-word commands (`image import`) first.
  const twoWord = rest[0] && COMMANDS.find((c) => c.name === `${name} ${rest[0]}`);
  if (twoWord) return main([twoWord.name, ...rest.slice(1)]);
  const command = COMMANDS.find((c) => c.name === name);
  const family = COMMANDS.filter((c) => c.name.startsWith(`${name} `));
  if (!command && family.length) {
    err(`burrow ${name}: ${rest[0] ? `unknown command "${rest[0]}"` : 'which one?'}\n${family.map((c) => `  burrow ${c.usage}`).join('\n')}`);
    return 2;
  }
  if (!command) {
    err(`burrow: unknown command "${name}"\n  fix: see burrow --help`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const dd = rest.indexOf('--');
    const help = rest.findIndex((a) => a === '--help' || a === '-h');
    if (dd < 0 || help < dd) {
      process.stdout.write(commandHelp(command) + '\n');
      return 0;
    }
  }
  try {
    const options = Object.fromEntries(
      Object.entries(command.options ?? {}).map(([k, o]) => [
        k,
        { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
      ]),
    );
    const parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    return await command.run(parsed.positionals, parsed.values as Record<string, unknown>);
  } catch (e) {
    // Messages may carry text from a guest or an archive (a distribution's name, a file name): err() escapes it.
    if (isBurrowError(e)) {
      err(`burrow ${name}: ${e.describe()}`);
      return EXIT[e.code];
    }
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      err(`burrow ${name}: ${(e as Error).message}\n  fix: see burrow ${name} --help`);
      return 2;
    }
    err(`burrow ${name}: internal error: ${errorMessage(e)}\n${(e as Error).stack ?? ''}`);
    return EXIT.internal;
  }
}

export function usageError(message: string): BurrowError {
  return new BurrowError('invalid-input', message);
}

if (require.main === module) {
  // `burrow ls | head -1`: a reader that went away is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (e: NodeJS.ErrnoException) => e.code === 'EPIPE' && process.exit(process.exitCode ?? 0));
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      err(`burrow: ${errorMessage(e)}`);
      process.exitCode = 70;
    },
  );
}
