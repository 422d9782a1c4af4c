// The preload: the one bridge between the sandboxed renderer and main.
// window.framesmith gets named methods built from the contract (jobs.enqueue,
// jobs.onEvent ...), never a generic invoke; each method sends only its own
// channel, and each listener returns its unsubscribe. Bundled to one CommonJS
// file (scripts/build-electron.mjs) because sandboxed preloads cannot load
// modules beyond 'electron'. files.pathForFile is the one addition beyond the
// contract: Electron 32+ dropped File.path, and only webUtils (here) can tell
// the path of a dropped file. A method's `{ signal }` cannot cross the
// context bridge: the page wraps window.framesmith with bridgeSignals()
// (common/api/create-client.ts), which sends `{ onCancel }` instead.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { DroppedFile, FramesmithApi } from '../common/api/client-api.ts';
import { createClientApi } from '../common/api/create-client.ts';
import { ipcTransport } from './ipc-transport.ts';

const api = createClientApi(ipcTransport(ipcRenderer));

const files = Object.freeze({
  ...api.files,
  pathForFile: (file: DroppedFile): string => webUtils.getPathForFile(file as File),
});

const exposed: FramesmithApi = Object.freeze({ ...api, files });
contextBridge.exposeInMainWorld('framesmith', exposed);
