// Small values and helpers of the profile that need no schema library: the supervisor and the preload
// import these without loading zod (about 40 ms of every process start).

/** A machine's (and an image's) name: also a file name, a unit name's part and a hostname's default. */
export const MACHINE_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const MACHINE_NAME_RULE = 'use 1-63 lowercase letters, digits, "-" or "_", starting with a letter or digit';

/** A byte size: a whole number with an optional K, M, G or T suffix (powers of 1024). */
export const BYTE_SIZE_RE = /^(\d+)([KMGT]?)$/;

export function parseByteSize(size: string): number | undefined {
  const m = BYTE_SIZE_RE.exec(size);
  if (!m) return undefined;
  return Number(m[1]) * { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2] as '' | 'K' | 'M' | 'G' | 'T'];
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A host port for a forward to `guest` that an ordinary user can bind and that `taken` does not hold: 8080 for 80. */
export function suggestHostPort(guest: number, taken: readonly number[] = [], portStart = 1024): number {
  let port = guest === 80 ? 8080 : guest < 100 ? 8000 + guest : guest < portStart ? 10000 + guest : guest;
  while (taken.includes(port)) port++;
  return port;
}
