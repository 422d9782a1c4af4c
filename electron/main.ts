// The Electron main process: a small composition root. It owns the window
// (size and position remembered), the menu, native dialogs, the taskbar/dock
// progress and notifications, and routes every renderer request (validated
// here with the contract's schemas) either to a native handler or to the
// engine, which runs in a utility process so inference never freezes the
// window. The UI loads from the framesmith-app:// protocol, which serves
// dist/renderer with a content security policy; previews come through
// framesmith-preview://. The renderer is sandboxed, context-isolated, with no
// Node integration; it sees only window.framesmith (electron/preload.ts).
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  net,
  Notification,
  protocol,
  screen,
  session,
  shell,
  utilityProcess,
  type UtilityProcess,
} from 'electron';
import type { AppEvent, PreviewClip, PreviewPair } from '../common/api/api-types.ts';
import { API_CHANNELS, EVENT_CHANNELS, type EventChannel } from '../common/api/contract.ts';
import { contentSecurityPolicy, mimeTypeOf, safeRelativeSegments } from '../common/api/static-path.ts';
import { InvalidArgumentError, type Result } from '../common/errors.ts';
import type { JobEvent } from '../common/jobs.ts';
import { mediaKindOf } from '../common/output-naming.ts';
import { buildAppMenu } from './app-menu.ts';
import { cacheFolder, dataFolder } from './app-folders.ts';
import type { HostInit } from './engine-host.ts';
import { EngineHostLink } from './engine-link.ts';
import { isInsideFolder, parseHostMessage, previewClipValueSchema, previewPairValueSchema } from './host-messages.ts';
import { HostRestartPolicy } from './host-restart.ts';
import { IpcRouter, type MainHandlers } from './ipc-router.ts';
import { JobNotifier } from './job-notifier.ts';
import { PREVIEW_SCHEME, PreviewCache } from './preview-cache.ts';
import { isNetworkPath, ReportedOutputs } from './reported-outputs.ts';
import { DEFAULT_WINDOW_STATE, fitToDisplays, loadWindowState, MIN_HEIGHT, MIN_WIDTH, saveWindowState, type WindowState } from './window-state.ts';

const APP_SCHEME = 'framesmith-app';
const APP_ORIGIN = `${APP_SCHEME}://ui`;
/** The app folder (package.json): one up from electron/ in a checkout, two up from the compiled dist/electron/main.mjs. */
function findAppRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..');
  }
}
const appRoot = findAppRoot(path.dirname(fileURLToPath(import.meta.url)));
/** The compiled engine host beside a compiled main; the tsx entry when main runs from source. */
const compiledHost = path.join(path.dirname(fileURLToPath(import.meta.url)), 'engine-host.mjs');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  { scheme: PREVIEW_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

class DesktopApp {
  private window: BrowserWindow | undefined;
  private host: UtilityProcess | undefined;
  private link: EngineHostLink | undefined;
  private readonly notifier = new JobNotifier();
  private readonly previews = new PreviewCache();
  /** Job outputs the engine reported: the only files shell:openPath opens. */
  private readonly outputs = new ReportedOutputs();
  private readonly restarts = new HostRestartPolicy();
  /** Where the engine writes preview clips; a clip path elsewhere is refused. */
  private readonly previewClipsDir = path.join(cacheFolder(), 'preview-clips');
  private readonly pendingInputs: string[] = [];
  private quitting = false;
  private readonly uiDir = path.join(appRoot, 'dist', 'renderer');
  private readonly windowStateFile = path.join(app.getPath('userData'), 'window-state.json');

  async start(initialArgs: readonly string[]): Promise<void> {
    this.pendingInputs.push(...existingInputs(initialArgs));
    await mkdir(app.getPath('userData'), { recursive: true });
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    this.registerProtocols();
    this.startEngineHost();
    this.registerIpc();
    await this.openWindow();
  }

  private registerProtocols(): void {
    const csp = contentSecurityPolicy([], [`${PREVIEW_SCHEME}:`], [`${PREVIEW_SCHEME}:`]);
    protocol.handle(APP_SCHEME, async (request) => {
      const url = new URL(request.url);
      const segments = url.host === 'ui' ? safeRelativeSegments(url.pathname) : undefined;
      if (!segments) return new Response('Forbidden', { status: 403 });
      let file = path.join(this.uiDir, ...segments);
      if (segments.length === 0 || !existsSync(file) || statSync(file).isDirectory()) {
        if (path.extname(file) !== '' && segments.length > 0) return new Response('Not found', { status: 404 });
        file = path.join(this.uiDir, 'index.html');
      }
      try {
        const body = await readFile(file);
        const headers: Record<string, string> = { 'content-type': mimeTypeOf(file), 'x-content-type-options': 'nosniff' };
        if (file.endsWith('.html')) headers['content-security-policy'] = csp;
        return new Response(body, { headers });
      } catch {
        return new Response(`The UI is not built (no ${file}). Run "npm run build:renderer".`, { status: 503 });
      }
    });
    protocol.handle(PREVIEW_SCHEME, (request) => {
      const clip = this.previews.clipFile(request.url);
      // The file protocol answers byte ranges, which a <video> element seeks with.
      if (clip) return net.fetch(pathToFileURL(clip).toString(), { headers: request.headers });
      const bytes = this.previews.get(request.url);
      return bytes ? new Response(new Uint8Array(bytes), { headers: { 'content-type': 'image/png' } }) : new Response('Not found', { status: 404 });
    });
  }

  private startEngineHost(): void {
    const entry = existsSync(compiledHost) && import.meta.url.endsWith('.mjs') ? compiledHost : path.join(appRoot, 'electron', 'engine-host-entry.mjs');
    const host = utilityProcess.fork(entry, [], { serviceName: 'Framesmith engine', stdio: 'inherit' });
    const { port1, port2 } = new MessageChannelMain();
    const link = new EngineHostLink((message) => port1.postMessage(message), (channel, event) => this.onEngineEvent(channel, event));
    port1.on('message', (event) => {
      const frame = parseHostMessage(event.data, (problem) => console.error(`Dropped a malformed message from the engine host: ${problem}`));
      if (!frame) return;
      if (frame.type === 'fatal') {
        dialog.showErrorBox('Framesmith could not start its engine', frame.error.userMessage);
        link.hostGone(frame.error.userMessage);
      }
      link.receive(frame);
    });
    port1.start();
    const resources = app.isPackaged ? process.resourcesPath : undefined;
    const init: HostInit = {
      type: 'init',
      dataDir: dataFolder(),
      cacheDir: cacheFolder(),
      ffmpegDir: resources ? path.join(resources, 'ffmpeg') : null,
      modelsDir: resources ? path.join(resources, 'models') : null,
      version: app.getVersion(),
    };
    host.once('spawn', () => host.postMessage(init, [port2]));
    host.once('exit', (code) => {
      link.hostGone(`it exited with code ${code}`);
      port1.close();
      if (this.quitting) return;
      const decision = this.restarts.crashed(Date.now());
      if (decision.delayMs !== undefined) {
        setTimeout(() => this.startEngineHost(), decision.delayMs);
        return;
      }
      dialog.showErrorBox('The Framesmith engine keeps stopping', `It stopped ${decision.crashes} times within a minute (last exit code ${code}), so it is not restarted again. Restart Framesmith; if this keeps happening, run "framesmith doctor" and report what it says.`);
    });
    this.host = host;
    this.link = link;
  }

  private onEngineEvent(channel: EventChannel, event: unknown): void {
    if (channel === EVENT_CHANNELS.jobs) {
      this.outputs.observe(event as JobEvent);
      const notice = this.notifier.observe(event as JobEvent);
      this.window?.setProgressBar(this.notifier.progress());
      if (notice && Notification.isSupported()) new Notification({ title: notice.title, body: notice.body, urgency: notice.kind === 'failed' ? 'critical' : 'normal' }).show();
    }
    this.window?.webContents.send(channel, event);
  }

  private sendAppEvent(event: AppEvent): void {
    this.window?.webContents.send(EVENT_CHANNELS.app, event);
  }

  private mainHandlers(): MainHandlers {
    const parent = () => this.window ?? BrowserWindow.getFocusedWindow() ?? undefined;
    return {
      'dialogs:openFiles': async ({ title, multiple, filters }) => {
        const options = { title, filters, properties: ['openFile' as const, ...(multiple ? (['multiSelections'] as const) : [])] };
        const window = parent();
        const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
        return result.canceled ? [] : result.filePaths;
      },
      'dialogs:openFolder': async ({ title }) => {
        const options = { title, properties: ['openDirectory' as const, 'createDirectory' as const] };
        const window = parent();
        const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
      'dialogs:saveFile': async ({ title, defaultPath }) => {
        const window = parent();
        const result = window ? await dialog.showSaveDialog(window, { title, defaultPath }) : await dialog.showSaveDialog({ title, defaultPath });
        return result.canceled ? null : (result.filePath ?? null);
      },
      'shell:openPath': async ({ path: target }) => {
        // Only outputs the engine reported (and their folders), media files
        // and folders: the renderer must not be able to launch programs.
        const isFolder = !isNetworkPath(target) && existsSync(target) && statSync(target).isDirectory();
        if (!this.outputs.canOpen(target) || (!isFolder && mediaKindOf(target) === undefined)) {
          throw new InvalidArgumentError(`Only folders and image or video files can be opened from Framesmith, not ${target}.`);
        }
        const failure = await shell.openPath(target);
        if (failure) throw new InvalidArgumentError(`Could not open ${target}: ${failure}`);
        return null;
      },
      'shell:showInFolder': async ({ path: target }) => {
        if (!path.isAbsolute(target) || isNetworkPath(target) || !existsSync(target)) throw new InvalidArgumentError(`${target} does not exist.`);
        shell.showItemInFolder(target);
        return null;
      },
    };
  }

  private registerIpc(): void {
    const router = new IpcRouter({
      main: this.mainHandlers(),
      engine: {
        request: async (channel, request) => {
          const link = this.link;
          if (!link) return { ok: false, error: { code: 'CONNECTION_LOST', userMessage: 'The engine is starting. Try again in a moment.' } };
          const result = await link.request(channel, request);
          if (channel === 'preview:renderFrame') return this.withPreviewUrls(result);
          if (channel === 'preview:renderClip' && result.ok) {
            const clip = previewClipValueSchema.safeParse(result.value);
            if (!clip.success || !isInsideFolder(clip.data.path, this.previewClipsDir)) {
              return { ok: false, error: { code: 'BUG', userMessage: 'The engine answered a preview clip outside its preview folder; it was not shown.' } };
            }
            const value = clip.data as unknown as PreviewClip;
            return { ok: true, value: { ...value, url: this.previews.putClip(value.clipId, value.path) } };
          }
          return result;
        },
      },
      trustedSender: (url) => url.startsWith(`${APP_ORIGIN}/`),
    });
    for (const channel of API_CHANNELS) {
      ipcMain.handle(channel, (event, raw: unknown) => router.handle(channel, raw, event.senderFrame?.url ?? ''));
    }
  }

  private withPreviewUrls(result: Result<unknown>): Result<unknown> {
    if (!result.ok) return result;
    if (!previewPairValueSchema.safeParse(result.value).success) {
      return { ok: false, error: { code: 'BUG', userMessage: 'The engine answered a preview without images.' } };
    }
    const pair = result.value as PreviewPair;
    return {
      ok: true,
      value: {
        ...pair,
        before: { ...pair.before, url: this.previews.put(pair.before.pngBase64) },
        after: { ...pair.after, url: this.previews.put(pair.after.pngBase64) },
      },
    };
  }

  private async openWindow(): Promise<void> {
    const saved = fitToDisplays(await loadWindowState(this.windowStateFile), screen.getAllDisplays().map((display) => display.workArea));
    const window = new BrowserWindow({
      ...saved,
      minWidth: MIN_WIDTH,
      minHeight: MIN_HEIGHT,
      show: false,
      title: 'Framesmith',
      icon: path.join(appRoot, 'resources', 'icons', 'framesmith-512.png'),
      webPreferences: {
        preload: path.join(appRoot, 'dist', 'electron', 'preload.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        spellcheck: false,
        // DevTools only in development builds.
        devTools: !app.isPackaged,
      },
    });
    this.window = window;
    if (saved.maximized) window.maximize();
    window.once('ready-to-show', () => window.show());
    window.webContents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
    window.webContents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
    });
    window.webContents.on('did-finish-load', () => {
      if (this.pendingInputs.length > 0) this.sendAppEvent({ type: 'add-inputs', paths: this.pendingInputs.splice(0) });
    });
    const remember = () => {
      const bounds = window.getNormalBounds();
      const state: WindowState = { ...DEFAULT_WINDOW_STATE, ...bounds, maximized: window.isMaximized() };
      void saveWindowState(this.windowStateFile, state).catch(() => undefined);
    };
    window.on('resized', remember);
    window.on('moved', remember);
    window.on('close', remember);
    window.on('closed', () => {
      this.window = undefined;
    });
    Menu.setApplicationMenu(buildAppMenu(
      {
        send: (event) => this.sendAppEvent(event),
        addFiles: () => {
          void this.mainHandlers()['dialogs:openFiles']({ multiple: true }).then((paths) => {
            if (paths.length > 0) this.sendAppEvent({ type: 'add-inputs', paths });
          });
        },
        openDataFolder: () => void shell.openPath(dataFolder()),
        openDocs: () => void shell.openExternal('https://github.com/'),
      },
      process.platform === 'darwin',
    ));
    await window.loadURL(`${APP_ORIGIN}/index.html`);
  }

  /** A second launch (files double-clicked, or the app started again) comes to the first window. */
  secondInstance(argv: readonly string[]): void {
    const window = this.window;
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
    const inputs = existingInputs(argv);
    if (inputs.length > 0) this.sendAppEvent({ type: 'add-inputs', paths: inputs });
  }

  shutdown(): void {
    this.quitting = true;
    this.previews.clear();
    this.host?.kill();
  }
}

function existingInputs(argv: readonly string[]): string[] {
  return argv.filter((arg) => !arg.startsWith('-') && path.isAbsolute(arg) && existsSync(arg) && (mediaKindOf(arg) !== undefined || statSync(arg).isDirectory()) && arg !== appRoot);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const desktop = new DesktopApp();
  app.on('second-instance', (_event, argv) => desktop.secondInstance(argv));
  app.on('before-quit', () => desktop.shutdown());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  await app.whenReady();
  await desktop.start(process.argv.slice(app.isPackaged ? 1 : 2));
}
