// The engine in an Electron utility process, so that inference, ffmpeg pipes
// and model downloads never block the window. Main sends one 'init' message
// with a MessagePort and the folders it resolved; every API request then
// arrives on that port, is validated again by the ApiDispatcher and answered
// in a Result envelope; queue and model events flow back on the same port.
// This is the only electron/ file that imports the engine.
import path from 'node:path';
import { ApiDispatcher, AppService, Engine } from '../engine/index.ts';
import { serializeError } from '../common/errors.ts';
import { serveHostRequests, type HostToMain } from './engine-link.ts';

export interface HostInit {
  type: 'init';
  dataDir: string;
  cacheDir: string;
  /** Folder with the bundled ffmpeg and ffprobe (packaged app), if any. */
  ffmpegDir: string | null;
  /** Folder with the bundled default models, if any. */
  modelsDir: string | null;
  version: string;
}

async function start(init: HostInit, port: Electron.MessagePortMain): Promise<void> {
  const send = (message: HostToMain) => port.postMessage(message);
  const lifetime = new AbortController();
  try {
    const engine = await Engine.create({
      cacheDir: init.cacheDir,
      modelRoots: init.modelsDir ? [init.modelsDir] : undefined,
      ffmpeg: init.ffmpegDir ? { bundledDir: init.ffmpegDir } : undefined,
      // Where Settings' GPU install puts the CUDA/TensorRT providers (engine/api/gpu-handlers.ts).
      gpuDir: path.join(init.dataDir, 'gpu'),
    });
    const service = await AppService.open({ engine, dataDir: init.dataDir, cacheDir: init.cacheDir, host: { kind: 'electron', version: init.version } });
    const dispatcher = new ApiDispatcher(service.handlers(), (channel) => `${channel} is answered by the window, not the engine.`);
    const receive = serveHostRequests({ dispatch: (channel, request, context) => dispatcher.dispatch(channel, request, context), subscribe: (group, listener) => service.subscribe(group, listener) }, send, lifetime.signal);
    port.on('message', (event) => receive(event.data));
    port.on('close', () => {
      lifetime.abort();
      void service.dispose().then(() => engine.dispose()).finally(() => process.exit(0));
    });
    port.start();
    send({ type: 'ready' });
  } catch (error) {
    send({ type: 'fatal', error: serializeError(error) });
    port.start();
  }
}

process.parentPort.once('message', (event) => {
  const init = event.data as HostInit;
  const port = event.ports[0];
  if (init?.type !== 'init' || !port) {
    process.stderr.write('engine host: expected an init message with a port\n');
    process.exit(2);
  }
  void start(init, port);
});
