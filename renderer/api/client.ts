// The renderer's only way to the host: Electron's preload object when present, else the web host's
// WebSocket (authorised by the cookie the page's first request traded its token for). Both implement
// BurrowApi; a lost connection reconnects, a refused one (signed out) says so and stops trying.
import type { BurrowApi, CallArgs, CallName, CallResults, Envelope, EventName, EventPayloads } from '../../electron/contract/api';

declare global {
  interface Window {
    burrow?: BurrowApi;
  }
}

export type ConnectionState = 'connecting' | 'open' | 'lost' | 'denied';

type Listener = (payload: unknown) => void;

class WebSocketApi implements BurrowApi {
  private ws?: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly queue: string[] = [];
  private retry = 0;
  onState: (s: ConnectionState) => void = () => undefined;

  constructor(private readonly url: string) {
    this.connect();
  }

  private connect(): void {
    this.onState(this.retry ? 'lost' : 'connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.retry = 0;
      this.onState('open');
      for (const m of this.queue.splice(0)) ws.send(m);
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as { id?: number; event?: string; payload?: unknown } & Envelope<unknown>;
      if (msg.event) for (const l of this.listeners.get(msg.event) ?? []) l(msg.payload);
      else if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if ('error' in msg) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result);
      }
    };
    ws.onclose = () => {
      for (const p of this.pending.values()) p.reject(new Error('the connection to the Burrow host was lost'));
      this.pending.clear();
      this.retry++;
      // A browser hides why a WebSocket was refused: ask the host whether this page is signed in at all.
      void (opened ? Promise.resolve(false) : signedOut()).then((out) => {
        this.onState(out ? 'denied' : 'lost');
        if (!out) setTimeout(() => this.connect(), Math.min(5000, 250 * 2 ** Math.min(this.retry, 5)));
      });
    };
  }

  invoke<K extends CallName>(name: K, ...args: CallArgs<K>): Promise<CallResults[K]> {
    const id = this.nextId++;
    const msg = JSON.stringify({ id, call: name, args });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(msg);
      else this.queue.push(msg);
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }
}

/** True when the host answers that this page has no valid session (401/403); false when it cannot be reached. */
async function signedOut(): Promise<boolean> {
  try {
    const r = await fetch('/session', { cache: 'no-store', credentials: 'same-origin' });
    return r.status === 401 || r.status === 403;
  } catch {
    return false;
  }
}

let api: BurrowApi | undefined;
let stateListener: (s: ConnectionState) => void = () => undefined;

export function connectApi(onState: (s: ConnectionState) => void): BurrowApi {
  stateListener = onState;
  if (api) return api;
  if (window.burrow) {
    api = window.burrow;
    onState('open');
    return api;
  }
  // The host trades a URL token for a cookie and redirects; should one still be here, keep it out of history.
  if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', location.pathname);
  const wsApi = new WebSocketApi(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`);
  wsApi.onState = (s) => stateListener(s);
  api = wsApi;
  return api;
}

export function getApi(): BurrowApi {
  if (!api) throw new Error('API not connected');
  return api;
}

export const transport = (): 'electron' | 'web' => (window.burrow ? 'electron' : 'web');
