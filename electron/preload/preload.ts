// The preload: one frozen object, the contract, exposed to the sandboxed renderer. Nothing else.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { BurrowApi, Envelope, EventName } from '../contract/api';
import { EVENT_NAMES, IPC_CALL, IPC_EVENT } from '../contract/channels';

type Listener = (payload: unknown) => void;
const listeners = new Map<EventName, Set<Listener>>();
ipcRenderer.on(IPC_EVENT, (_e, event: EventName, payload: unknown) => {
  for (const l of listeners.get(event) ?? []) l(payload);
});

const api: BurrowApi = {
  async invoke(name, ...args) {
    const reply = (await ipcRenderer.invoke(IPC_CALL, name, args)) as Envelope<never>;
    if ('error' in reply) throw new Error(reply.error.message);
    return reply.result;
  },
  on(event, listener) {
    if (!EVENT_NAMES.includes(event)) throw new Error(`unknown event ${event}`);
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('burrow', Object.freeze(api));
