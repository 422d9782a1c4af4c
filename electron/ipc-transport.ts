// The preload's transport to main: one ipcRenderer.invoke per request,
// carrying a request id so that a withdrawn request (its signal fired in the
// page) can be cancelled with one message on IPC_CANCEL_CHANNEL. Ids count
// per preload instance; main keys them by page, so pages never collide.
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import type { ApiTransport } from '../common/api/create-client.ts';
import { IPC_CANCEL_CHANNEL } from '../common/api/create-client.ts';

export function ipcTransport(ipc: Pick<IpcRenderer, 'invoke' | 'send' | 'on' | 'removeListener'>): ApiTransport {
  let nextId = 1;
  return {
    request: (channel, request, cancel) => {
      const id = nextId++;
      cancel?.(() => ipc.send(IPC_CANCEL_CHANNEL, id));
      return ipc.invoke(channel, request, id);
    },
    subscribe: (channel, listener) => {
      const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      ipc.on(channel, forward);
      return () => {
        ipc.removeListener(channel, forward);
      };
    },
  };
}
