// One WebSocket of the web host: messages in are `{id, call, args}` (checked here, then by dispatch),
// messages out are replies and events. A connection that sends what is not a request, or stops reading
// while its output piles up, is closed; nothing it sends can throw in the host or reject unhandled.
import type { RawData, WebSocket } from 'ws';
import { ApiHost } from '../host/api-host';
import { dispatch } from '../host/dispatch';

/**
 * Output a connection may leave unread before it is dropped. Terminal output is flow-controlled by the
 * page's acks (about 100,000 characters), so only a page that stopped reading gets near this.
 */
export const MAX_UNSENT_BYTES = 8 * 1024 * 1024;

export interface ApiRequest {
  id: number;
  call: unknown;
  args: unknown;
}

/** A request, or undefined for anything else (null, a number, an array, a string, an object without an id). */
export function parseRequest(text: string): ApiRequest | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return undefined;
  const { id, call, args } = msg as Record<string, unknown>;
  return Number.isSafeInteger(id) ? { id: id as number, call, args } : undefined;
}

export function serveApiConnection(ws: WebSocket): void {
  const host = new ApiHost('web');
  const send = (msg: unknown): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_UNSENT_BYTES) {
      ws.terminate();
      return;
    }
    let text: string;
    try {
      text = JSON.stringify(msg);
    } catch {
      return;
    }
    ws.send(text);
  };
  const sub = host.onEvent((event, payload) => send({ event, payload }));
  const answer = async (request: ApiRequest): Promise<void> => {
    send({ id: request.id, ...(await dispatch(host, request.call, request.args)) });
  };
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    if (isBinary) return void ws.close(1003, 'binary messages are not understood');
    const request = parseRequest(rawText(raw));
    if (!request) return void ws.close(1008, 'each message must be an object {id, call, args}');
    answer(request).catch((e: unknown) => {
      process.stderr.write(`burrow serve: a call failed unexpectedly: ${e instanceof Error ? e.message : String(e)}\n`);
    });
  });
  // Invalid UTF-8, an oversized or malformed frame: ws reports it here, then closes the connection.
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    sub.dispose();
    host.dispose();
  });
}

function rawText(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  return (Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw)).toString('utf8');
}
