// Runs the real `framesmith` command (node bin/framesmith.js) as a user would,
// in a child process with a timeout, and hands back what it printed and how it
// exited. The caches and the work folder are pointed into a folder the test
// owns, so runs neither share state with the user's cache nor leave files.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './shared-assets.ts';

export interface CliRunOptions {
  /** Extra environment (merged over process.env). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Killed with SIGKILL after this long; default 100 s. */
  timeoutMs?: number;
  /** Called for every complete stdout line as it arrives (e.g. to send a signal). */
  onLine?: (line: string, child: ChildProcess) => void;
  /**
   * Start the CLI as the leader of its own process group, as a shell starts a
   * foreground job: signalGroup then reaches ffmpeg children too, like Ctrl-C.
   */
  ownProcessGroup?: boolean;
}

export interface CliResult {
  /** Exit code; null when the process ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** One --json event as the CLI prints it (see cli/reporter.ts CliEvent). */
export interface CliJsonEvent {
  type: string;
  [key: string]: unknown;
}

export const cliEntry = path.join(repoRoot, 'bin', 'framesmith.js');

export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliEntry, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, FRAMESMITH_DEBUG: undefined, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.ownProcessGroup ?? false,
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // A group leader takes its ffmpeg children with it.
      if (options.ownProcessGroup && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    }, options.timeoutMs ?? 100_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (!options.onLine) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine(line, child);
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Sends a signal to the child's whole process group (started with ownProcessGroup), as a terminal's Ctrl-C does. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) throw new Error('the CLI process has no pid');
  process.kill(-child.pid, signal);
}

/** Every stdout line parsed as JSON; throws naming the line that is not JSON. */
export function parseJsonLines(stdout: string): CliJsonEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as CliJsonEvent;
      } catch {
        throw new Error(`--json printed a line that is not JSON: ${line}`);
      }
    });
}

/** The error events' codes, in order. */
export function errorCodes(events: readonly CliJsonEvent[]): string[] {
  return events
    .filter((event) => event.type === 'error')
    .map((event) => String((event.error as { code?: unknown } | undefined)?.code));
}

/** A short summary of a run for assertion messages. */
export function describeRun(result: CliResult): string {
  return `exit ${result.code}${result.signal ? ` (signal ${result.signal})` : ''}${result.timedOut ? ' TIMED OUT' : ''}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}
