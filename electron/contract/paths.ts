// Paths in a profile: inside the machine (absolute, normalised) and on the host (absolute, no `..`).
import * as z from 'zod';

/** An absolute, normalised path inside the machine: no `..`, no `.`, no empty segments. */
export const guestPath = z
  .string()
  .refine((p) => p.startsWith('/'), 'must be an absolute path inside the machine (start with /)')
  .refine((p) => !p.split('/').some((s) => s === '..' || s === '.'), 'must not contain "." or ".." segments')
  .refine((p) => p === '/' || !/\/\/|\/$/.test(p), 'must not contain empty segments or a trailing /')
  .refine((p) => !/[\0\n]/.test(p), 'must not contain NUL or newline characters');

export const hostPath = z
  .string()
  .refine((p) => p.startsWith('/'), 'must be an absolute path on the host')
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".." segments')
  .refine((p) => !/[\0\n]/.test(p), 'must not contain NUL or newline characters');
