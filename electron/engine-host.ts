// The engine in an Electron utility process, so that inference, ffmpeg pipes
// and model downloads never block the window. Main sends one 'init' message
// with a MessagePort and the folders it resolved; every API request then
// arrives on that port, is validated again by the ApiDispatcher and answered
// in a Result envelope; queue and model events flow back on the same port.
// This is the only electron/ file that imports the engine. It makes the
// process's one inference runtime (jobs, previews and benchmarks share its
// worker) and names previews with framesmith-preview:// URLs, whose bytes
// main asks it for when the window loads them.
import path from 'node:path';
import { ApiDispatcher, AppService, Engine, SessionPool } from '../engine/index.ts';
import { serializeError } from '../common/errors.ts';
import { serveHostRequests, type HostToMain, type PreviewAsset } from './engine-link.ts';
import { PreviewCache } from './preview-cache.ts';

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
    const inference = SessionPool.create({ cacheDir: path.join(init.cacheDir, 'converted') });
    const engine = await Engine.create({
      cacheDir: init.cacheDir,
      modelRoots: init.modelsDir ? [init.modelsDir] : undefined,
      ffmpeg: init.ffmpegDir ? { bundledDir: init.ffmpegDir } : undefined,
      inference,
    });
    const previews = new PreviewCache();
    const service = await AppService.open({
      engine,
      dataDir: init.dataDir,
      cacheDir: init.cacheDir,
      host: { kind: 'electron', version: init.version },
      previews: { clip: (clipId, file) => previews.putClip(clipId, file), image: (image) => previews.put(image.pngBase64) },
    });
    const previewAsset = (url: string): PreviewAsset => {
      const file = previews.clipFile(url);
      if (file !== undefined) return { kind: 'file', path: file };
      const bytes = previews.get(url);
      return bytes ? { kind: 'png', bytes: new Uint8Array(bytes) } : null;
    };
    const dispatcher = new ApiDispatcher(service.handlers(), (channel) => `${channel} is answered by the window, not the engine.`);
    const dispatch = async (channel: unknown, request: unknown, context: { signal: AbortSignal }) => {
      const result = await dispatcher.dispatch(channel, request, context);
      // A bug is answered to the window as one and logged here with its stack, never swallowed.
      if (!result.ok && result.error.code === 'BUG') process.stderr.write(`engine host: BUG (please report this) while answering ${String(channel)}: ${result.error.detail ?? result.error.userMessage}\n`);
      return result;
    };
    const receive = serveHostRequests(
      { dispatch, subscribe: (group, listener) => service.subscribe(group, listener), previewAsset },
      send,
      lifetime.signal,
    );
    port.on('message', (event) => receive(event.data));
    port.on('close', () => {
      lifetime.abort();
      previews.clear();
      void service.dispose().then(() => engine.dispose()).then(() => inference.dispose()).finally(() => process.exit(0));
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
