// Binds the contract to Electron IPC: one handler for calls (validated, enveloped), one channel for
// events. A call from any frame other than our own renderer page is refused.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { IPC_CALL, IPC_EVENT, type Envelope } from '../contract/api';
import type { Disposable } from '../engine/disposable';
import type { ApiHost } from '../host/api-host';
import { dispatch } from '../host/dispatch';
import { isSamePage } from './app-protocol';

export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, pageUrl: string): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent) return false; // sub-frames never talk to the host
  return isSamePage(frame.url, pageUrl);
}

export function bindIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, host: ApiHost, pageUrl: string, target: () => WebContents | undefined): Disposable {
  ipcMain.handle(IPC_CALL, async (event, name: unknown, args: unknown): Promise<Envelope<unknown>> => {
    if (!isTrustedSender(event, pageUrl)) return { error: { message: 'refused: this frame may not call Burrow', code: 'forbidden' } };
    return dispatch(host, name, args);
  });
  const sub = host.onEvent((event, payload) => {
    const wc = target();
    if (wc && !wc.isDestroyed()) wc.send(IPC_EVENT, event, payload);
  });
  return {
    dispose: () => {
      ipcMain.removeHandler(IPC_CALL);
      sub.dispose();
    },
  };
}
