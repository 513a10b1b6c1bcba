// Quoting for POSIX shells: what `burrow command` prints must paste back into a terminal unchanged.

const SAFE = /^[A-Za-z0-9_\/.,:=@%+^-]+$/;

export function shellQuote(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/**
 * One pasteable line, folded for reading: a break before every long option, so each bwrap operation
 * sits on its own line.
 */
export function shellFold(argv: readonly string[]): string {
  const lines: string[][] = [[]];
  let seenBwrap = false;
  let onlyModifiers = false; // the line so far holds only --perms/--size, which modify the next operation
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const isModifier = seenBwrap && (arg === '--perms' || arg === '--size');
    if (seenBwrap && arg.startsWith('--')) {
      if (lines[lines.length - 1]!.length && !onlyModifiers) lines.push([]);
      onlyModifiers = isModifier;
    }
    lines[lines.length - 1]!.push(shellQuote(arg));
    if (isModifier && i + 1 < argv.length) lines[lines.length - 1]!.push(shellQuote(argv[++i]!));
    if (!seenBwrap && /(^|\/)bwrap$/.test(arg)) {
      seenBwrap = true;
      lines.push([]);
    }
  }
  return lines
    .filter((l) => l.length)
    .map((l) => l.join(' '))
    .join(' \\\n  ');
}
