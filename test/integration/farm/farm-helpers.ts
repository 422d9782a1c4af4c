// A real farm on this machine for the tests: a redis-server of their own
// (free loopback port, temporary folder, no persistence unless asked), and
// `framesmith worker` processes started as a user would. Tests skip with a
// visible message where redis-server is not installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { cliEntry } from '../../helpers/cli-runner.ts';
import { repoRoot } from '../../helpers/shared-assets.ts';

export function redisServerPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class TestRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number, private readonly dir: string) {}

  static async start(dir: string): Promise<TestRedis> {
    const redis = new TestRedis(await freePort(), dir);
    await redis.launch();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port; an empty Redis each time (no persistence). */
  async launch(): Promise<void> {
    const binary = redisServerPath();
    if (!binary) throw new Error('redis-server is not installed');
    this.child = spawn(binary, ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: 'ignore' });
    for (let tries = 0; tries < 100; tries += 1) {
      const ping = spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' });
      if (ping.stdout.trim() === 'PONG') return;
      await delay(100);
    }
    throw new Error(`redis-server did not answer on port ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

export interface WorkerHandle {
  name: string;
  child: ChildProcess;
  /** Every JSON event the worker printed so far. */
  events: Record<string, unknown>[];
  waitFor(predicate: (event: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `framesmith worker --json` and resolves once it has joined the farm. */
export async function startWorker(options: { name: string; redisUrl: string; sharedRoot: string; env: Record<string, string>; lockSeconds?: number; threads?: number }): Promise<WorkerHandle> {
  const child = spawn(process.execPath, [
    cliEntry, 'worker', '--redis', options.redisUrl, '--shared-root', options.sharedRoot, '--name', options.name,
    '--threads', String(options.threads ?? 1), '--lock-seconds', String(options.lockSeconds ?? 2), '--json',
  ], { cwd: repoRoot, env: { ...process.env, FRAMESMITH_DEBUG: undefined, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Record<string, unknown>[] = [];
  let pending = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim().startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  const waitFor = async (predicate: (event: Record<string, unknown>) => boolean, timeoutMs = 60_000): Promise<Record<string, unknown>> => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const found = events.find(predicate);
      if (found) return found;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`worker ${options.name} exited ${child.exitCode ?? child.signalCode}: ${stderr}`);
      await delay(50);
    }
    throw new Error(`worker ${options.name}: timed out; events ${JSON.stringify(events)}; stderr ${stderr}`);
  };
  await waitFor((event) => event.type === 'ready');
  return {
    name: options.name,
    child,
    events,
    waitFor,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill(signal);
      return exited;
    },
  };
}
