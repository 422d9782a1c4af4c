// `framesmith serve`: the desktop app's UI in a browser. Serves the built
// renderer and the typed API over a WebSocket on loopback behind a random
// token, and prints the URL that opens it. This is how the UI is tested in
// Chromium and how a headless GPU machine is driven from another computer
// (through an SSH tunnel: the server never listens beyond --host). The token
// and port are kept in the data folder (serve-identity.ts), so a page left
// open finds the server again after a restart. In a
// checkout it first builds the UI when it is missing or older than its
// sources (one line on stderr), so the printed URL never answers 503.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ApiDispatcher, AppService, Engine, SessionPool } from '../../engine/index.ts';
import { userCacheDir, userDataDir, userGpuDir } from '../app-paths.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import { collectMirror, type MirrorRule } from '../option-parsers.ts';
import { chooseServeIdentity, listenPreferring, saveServeIdentity } from '../serve-identity.ts';
import { TransferRoutes } from '../transfer-routes.ts';
import { ensureUiBuilt } from '../ui-build.ts';
import { WebServer } from '../web-server.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_UI_DIR = path.join(repoRoot, 'dist', 'renderer');

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

interface ServeFlags {
  port?: string;
  newToken?: boolean;
  host: string;
  uiDir: string;
  sharedModels: boolean;
  mirror?: MirrorRule[];
}

export function registerServeCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('serve')
    .description('Serve the Framesmith UI and its API to a browser on this machine (prints the URL, with its access token).')
    .option('--port <n>', 'port to listen on (0: any free port; default: the one used last time, when free)')
    .option('--new-token', 'make a new access token (pages opened with the old one must be opened again)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--ui-dir <folder>', 'folder of the built UI', DEFAULT_UI_DIR)
    .option('--no-shared-models', 'do not use the models in ../shared/models beside the checkout: the UI shows what a fresh install has and offers the rest for download')
    .option('--mirror <from=to>', 'download models from URLs that start with FROM from TO instead (repeatable; bytes are verified as usual)', collectMirror)
    .action(async (flags: ServeFlags) => {
      const port = flags.port === undefined ? undefined : Number(flags.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
        process.stderr.write(`framesmith serve: --port expects a whole number from 0 to 65535, got "${flags.port ?? ''}".\n`);
        setExitCode(EXIT_USAGE);
        return;
      }
      if (!LOOPBACK.has(flags.host)) {
        process.stderr.write(`framesmith serve: warning: listening on ${flags.host}, beyond this machine. Anyone who learns the URL can run jobs and read folders; prefer an SSH tunnel to 127.0.0.1.\n`);
      }
      if (path.resolve(flags.uiDir) === DEFAULT_UI_DIR) {
        await ensureUiBuilt({ root: repoRoot, notice: (line) => process.stderr.write(`framesmith serve: ${line}\n`) });
      }
      // One inference runtime for the process: jobs, previews and benchmarks share its worker and sessions.
      const inference = SessionPool.create({ cacheDir: path.join(userCacheDir(), 'converted'), gpuDir: userGpuDir() });
      const engine = await Engine.create({ cacheDir: userCacheDir(), inference, includeSharedModels: flags.sharedModels });
      const service = await AppService.open({
        engine,
        dataDir: userDataDir(),
        cacheDir: userCacheDir(),
        host: { kind: 'browser', version: program.version() ?? '0.0.0' },
        modelSources: { registry: process.env.npm_config_registry, mirrors: flags.mirror },
      });
      const dispatcher = new ApiDispatcher(service.handlers(), (channel) => `${channel} needs the desktop app; in the browser, choose files and folders with the file browser.`);
      const routes = new TransferRoutes({ uploadRoot: path.join(userDataDir(), 'uploads'), dispatcher, events: service });
      const notice = (line: string) => process.stderr.write(`framesmith serve: ${line}\n`);
      const { identity, notices } = await chooseServeIdentity(userDataDir(), { newToken: flags.newToken === true });
      notices.forEach(notice);
      const server = new WebServer({ uiDir: path.resolve(flags.uiDir), dispatcher, events: service, host: flags.host, token: identity.token, clipFile: (clipId) => service.clipFile(clipId), routes });
      let url: string;
      try {
        url = await listenPreferring(server, port ?? identity.port ?? 0, port !== undefined, notice);
      } catch (error) {
        const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
        notice(inUse ? `port ${port ?? ''} is in use by another program; choose another with --port, or leave --port out to take a free one.` : `could not listen on ${flags.host}: ${(error as Error).message}`);
        routes.dispose();
        await service.dispose();
        await engine.dispose();
        await inference.dispose();
        setExitCode(inUse ? EXIT_USAGE : EXIT_FAILED);
        return;
      }
      await saveServeIdentity(userDataDir(), { token: identity.token, port: server.port });
      process.stdout.write(`Framesmith is serving its UI at:\n  ${url}\nOpen it in a browser on this machine. Press Ctrl-C to stop.\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      process.stdout.write('Stopping: running jobs are kept as interrupted and resume on the next start.\n');
      await server.close();
      routes.dispose();
      await service.dispose();
      await engine.dispose();
      await inference.dispose();
      setExitCode(EXIT_OK);
    });
}
