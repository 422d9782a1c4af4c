// The Electron main process: a small composition root. It owns the window
// (size and position remembered), the menu, native dialogs, the taskbar/dock
// progress and notifications, and routes every renderer request (validated
// here with the contract's schemas) either to a native handler or to the
// engine, which runs in a utility process so inference never freezes the
// window. The UI loads from the framesmith-app:// protocol, which serves
// dist/renderer with a content security policy (the same resolver as
// `framesmith serve`: common/api/ui-host.ts); previews come through
// framesmith-preview://, URLs the engine host named and whose bytes it
// gives. A request's signal follows it to the engine: the page can withdraw
// a request, and a page that closes or reloads cancels what it had running.
// The renderer is sandboxed, context-isolated, with no Node integration; it
// sees only window.framesmith (electron/preload.ts).
import { existsSync, statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
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
import type { AppEvent } from '../common/api/api-types.ts';
import { API_CHANNELS, EVENT_CHANNELS, type EventChannel } from '../common/api/contract.ts';
import { IPC_CANCEL_CHANNEL } from '../common/api/create-client.ts';
import { contentSecurityPolicy } from '../common/api/static-path.ts';
import { resolveUiRequest, uiFilesOver } from '../common/api/ui-host.ts';
import { InvalidArgumentError } from '../common/errors.ts';
import type { JobEvent, JobSnapshot } from '../common/jobs.ts';
import { mediaKindOf } from '../common/output-naming.ts';
import { buildAppMenu } from './app-menu.ts';
import { cacheFolder, dataFolder } from './app-folders.ts';
import type { HostInit } from './engine-host.ts';
import { EngineHostLink } from './engine-link.ts';
import { isInsideFolder, parseHostMessage } from './host-messages.ts';
import { HostRestartPolicy } from './host-restart.ts';
import { IpcRouter, type MainHandlers } from './ipc-router.ts';
import { isJobFileUrl, jobFileResponse } from './job-files.ts';
import { JobNotifier } from './job-notifier.ts';
import { PREVIEW_SCHEME } from './preview-cache.ts';
import { isNetworkPath, ReportedOutputs } from './reported-outputs.ts';
import { RequestSignals } from './request-signals.ts';
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
  private readonly requests = new RequestSignals();
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
    await fs.mkdir(app.getPath('userData'), { recursive: true });
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    this.registerProtocols();
    this.startEngineHost();
    this.registerIpc();
    await this.openWindow();
  }

  private registerProtocols(): void {
    const csp = contentSecurityPolicy([], [`${PREVIEW_SCHEME}:`], [`${PREVIEW_SCHEME}:`]);
    const files = uiFilesOver(fs, path);
    protocol.handle(APP_SCHEME, async (request) => {
      const url = new URL(request.url);
      if (url.host !== 'ui') return new Response('Forbidden', { status: 403 });
      const answer = await resolveUiRequest(this.uiDir, url.pathname, files);
      if (answer.kind !== 'file') return new Response(answer.message, { status: answer.status });
      const headers: Record<string, string> = { 'content-type': answer.contentType, 'x-content-type-options': 'nosniff' };
      if (answer.isPage) headers['content-security-policy'] = csp;
      return new Response(await fs.readFile(answer.file), { headers });
    });
    protocol.handle(PREVIEW_SCHEME, async (request) => {
      // A job's input or output for the after-view: only the files of the queue's items.
      if (isJobFileUrl(request.url)) return jobFileResponse(request, () => this.jobList());
      const asset = (await this.link?.previewAsset(request.url)) ?? null;
      // The file protocol answers byte ranges, which a <video> element seeks with.
      if (asset?.kind === 'file') {
        // Only clips in the engine's preview folder, whatever the host says.
        if (!isInsideFolder(asset.path, this.previewClipsDir)) return new Response('Forbidden', { status: 403 });
        return net.fetch(pathToFileURL(asset.path).toString(), { headers: request.headers });
      }
      if (asset?.kind === 'png') return new Response(new Uint8Array(asset.bytes), { headers: { 'content-type': 'image/png' } });
      return new Response('Not found', { status: 404 });
    });
  }

  /** The queue as the engine host lists it; undefined while it cannot answer. */
  private async jobList(): Promise<JobSnapshot[] | undefined> {
    const result = await this.link?.request('jobs:list', undefined);
    return result?.ok ? (result.value as JobSnapshot[]) : undefined;
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
        request: async (channel, request, signal) => {
          const link = this.link;
          if (!link) return { ok: false, error: { code: 'CONNECTION_LOST', userMessage: 'The engine is starting. Try again in a moment.' } };
          return link.request(channel, request, signal);
        },
      },
      trustedSender: (url) => url.startsWith(`${APP_ORIGIN}/`),
    });
    for (const channel of API_CHANNELS) {
      ipcMain.handle(channel, async (event, raw: unknown, requestId: unknown) => {
        const page = event.sender.id;
        const signal = this.requests.begin(page, requestId);
        try {
          return await router.handle(channel, raw, event.senderFrame?.url ?? '', signal);
        } finally {
          this.requests.end(page, requestId, signal);
        }
      });
    }
    ipcMain.on(IPC_CANCEL_CHANNEL, (event, requestId: unknown) => this.requests.cancel(event.sender.id, requestId));
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
    // A page that goes away (reload, close) no longer wants what it asked for.
    const pageId = window.webContents.id;
    window.webContents.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) this.requests.cancelPage(pageId);
    });
    window.webContents.once('destroyed', () => this.requests.cancelPage(pageId));
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
