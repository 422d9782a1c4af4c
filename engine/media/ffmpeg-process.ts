// A thin wrapper over child_process for ffmpeg and ffprobe: an AbortSignal
// that ends the process, a bounded tail of stderr for error details (never
// parsed for control flow), and a promise for the exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { CancelledError, FfmpegFailedError } from '../../common/errors.ts';

const STDERR_TAIL_BYTES = 8192;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last few kilobytes of stderr, for logs and error details. */
  stderrTail: string;
}

export interface FfmpegProcess {
  readonly child: ChildProcess;
  /** Resolves when the process has exited (whatever the code); never rejects. */
  readonly exited: Promise<ProcessExit>;
  /** Kills the process (idempotent). */
  kill(): void;
}

export interface StartOptions {
  signal?: AbortSignal;
  /** Which streams are piped; the rest are ignored. Default: stdout and stderr piped, stdin ignored. */
  stdin?: 'pipe' | 'ignore';
  stdout?: 'pipe' | 'ignore';
}

export function startProcess(executable: string, args: readonly string[], options: StartOptions = {}): FfmpegProcess {
  const child = spawn(executable, args, {
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'],
    windowsHide: true,
  });
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onAbort = (): void => kill();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const exited = new Promise<ProcessExit>((resolve) => {
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
    });
    child.once('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal, stderrTail: spawnError ? `${spawnError.message}\n${tail}` : tail });
    });
  });
  if (options.signal?.aborted) kill();
  return { child, exited, kill };
}

/**
 * Runs a process to completion and returns its stdout. Throws CancelledError
 * when the signal fired, FfmpegFailedError (with the stderr tail as detail)
 * on a non-zero exit.
 */
export async function runToCompletion(
  executable: string,
  args: readonly string[],
  what: string,
  options: { signal?: AbortSignal } = {},
): Promise<{ stdout: string; exit: ProcessExit }> {
  const proc = startProcess(executable, args, { signal: options.signal });
  const chunks: Buffer[] = [];
  proc.child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exit = await proc.exited;
  if (options.signal?.aborted) throw new CancelledError();
  const stdout = Buffer.concat(chunks).toString('utf8');
  if (exit.code !== 0) {
    throw new FfmpegFailedError(what, { detail: `${executable} ${args.join(' ')}\nexit ${exit.code ?? exit.signal}\n${exit.stderrTail}` });
  }
  return { stdout, exit };
}
