// The preload: the one bridge between the sandboxed renderer and main.
// window.framesmith gets named methods built from the contract (jobs.enqueue,
// jobs.onEvent ...), never a generic invoke; each method sends only its own
// channel, and each listener returns its unsubscribe. Bundled to one CommonJS
// file (scripts/build-electron.mjs) because sandboxed preloads cannot load
// modules beyond 'electron'.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createClientApi } from '../common/api/create-client.ts';

const api = createClientApi({
  request: (channel, request) => ipcRenderer.invoke(channel, request),
  subscribe: (channel, listener) => {
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
});

contextBridge.exposeInMainWorld('framesmith', api);
