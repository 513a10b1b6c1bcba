// Small values and helpers of the profile that need no schema library: the supervisor and the preload
// import these without loading zod (about 40 ms of every process start).

/** A byte size: a whole number with an optional K, M, G or T suffix (powers of 1024). */
export const BYTE_SIZE_RE = /^(\d+)([KMGT]?)$/;

export function parseByteSize(size: string): number | undefined {
  const m = BYTE_SIZE_RE.exec(size);
  if (!m) return undefined;
  return Number(m[1]) * { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2] as '' | 'K' | 'M' | 'G' | 'T'];
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
