// Starts the real `framesmith serve` (by default `--port 0`) as a child
// process with its own data and cache folders, and reads the URL (with its
// token) it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../helpers/shared-assets.ts';

export interface ServeProcess {
  /** The page URL printed by serve, token included. */
  readonly url: string;
  /** Everything it printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  dataDir: string;
  cacheDir: string;
  env?: Record<string, string | undefined>;
  /** Options after `serve --port N` (e.g. --no-shared-models, --mirror FROM=TO). */
  args?: readonly string[];
  timeoutMs?: number;
  /** The --port given; default 0 (any free port); null gives none, so serve reuses the port it remembers. */
  port?: number | null;
}

export function startServe(options: ServeOptions): Promise<ServeProcess> {
  const port = options.port === undefined ? ['--port', '0'] : options.port === null ? [] : ['--port', String(options.port)];
  const child: ChildProcess = spawn(process.execPath, [path.join(repoRoot, 'bin', 'framesmith.js'), 'serve', ...port, ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, FRAMESMITH_DATA: options.dataDir, FRAMESMITH_CACHE: options.cacheDir, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`framesmith serve printed no URL within ${options.timeoutMs ?? 60_000} ms. Output:\n${printed}`));
    }, options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      printed += chunk.toString('utf8');
      const match = /https?:\/\/(?:127\.0\.0\.1|localhost):\d+\/\S*token=[^\s]+/.exec(printed);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[0],
        output: () => printed,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(killTimer);
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => { printed += chunk.toString('utf8'); });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`framesmith serve exited (${code ?? signal}) before printing its URL. Output:\n${printed}`));
    });
  });
}
