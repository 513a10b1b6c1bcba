// Errors a user can meet: what happened and what to do, in one or two lines. Anything else is a bug.

import type { ErrorCode } from '../contract/errors';

export type { ErrorCode } from '../contract/errors';

export class BurrowError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'BurrowError';
  }

  /** The text shown to people: the message, then the fix on its own line. */
  describe(): string {
    return this.fix ? `${this.message}\n  fix: ${this.fix}` : this.message;
  }
}

export function isBurrowError(e: unknown): e is BurrowError {
  return e instanceof BurrowError;
}

export function errorMessage(e: unknown): string {
  if (isBurrowError(e)) return e.describe();
  if (e instanceof Error) return e.message;
  return String(e);
}
