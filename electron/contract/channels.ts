// The names the preload needs, apart from the schemas: the sandboxed preload bundles this file alone,
// not zod and the whole contract.
import type { EventName } from './api';

export const EVENT_NAMES: EventName[] = ['machines.changed', 'ui.command', 'terminal.data', 'terminal.exit', 'images.progress', 'lifecycle.progress'];

/** Electron IPC channels: one for calls, one for events. */
export const IPC_CALL = 'burrow:call';
export const IPC_EVENT = 'burrow:event';
