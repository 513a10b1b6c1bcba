// What can go wrong, as a code every layer shares: the engine throws it, the host sends it with the
// message (`{error: {message, code}}`), the window and the CLI act on it (the CLI maps each code to its
// exit status, cli/exit-codes.ts). Runtime-free: no Node, no schema library.

export const ERROR_CODES = [
  'invalid-input',
  'not-found',
  'exists',
  'already-running',
  'not-running',
  'host-not-ready',
  'rootfs-invalid',
  'corrupt-profile',
  'start-failed',
  'in-use',
  'import-failed',
  'no-space',
  'cancelled',
  /** A caller that may not call at all (a frame other than Burrow's page). */
  'forbidden',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const isErrorCode = (v: unknown): v is ErrorCode => typeof v === 'string' && (ERROR_CODES as readonly string[]).includes(v);
