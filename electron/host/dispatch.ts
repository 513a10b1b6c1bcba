// The boundary every transport shares: validate the call, run it, wrap the outcome in an envelope so
// error messages survive IPC and WebSockets. Host-side bugs are logged here and reach the window as a
// short sentence, never a stack trace.
import { parseCall, type Envelope } from '../contract/api';
import { isBurrowError } from '../engine/errors';
import type { ApiHost } from './api-host';

export async function dispatch(host: ApiHost, name: unknown, args: unknown): Promise<Envelope<unknown>> {
  const parsed = parseCall(name, args);
  if (!parsed.ok) return { error: { message: parsed.message, code: 'invalid-input' } };
  try {
    return { result: await host.call(parsed.name, parsed.args as never) };
  } catch (e) {
    if (isBurrowError(e)) return { error: { message: e.describe(), code: e.code } };
    process.stderr.write(`burrow host: ${parsed.name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return { error: { message: `${parsed.name} failed: ${e instanceof Error ? e.message : String(e)}`, code: 'internal' } };
  }
}
