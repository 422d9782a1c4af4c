// Signals for long commands. A plain batch (upscale, interpolate, stylize):
// Ctrl-C or SIGTERM cancels cleanly (the caller aborts its work, which
// removes partial output); a second exits at once with 130. A durable job
// (run, resume): Ctrl-C, SIGTERM and SIGHUP (a shutdown, `systemctl stop`, a
// closed terminal) all stop it between frames and keep it, with its
// finished segments, for `framesmith resume`; only `framesmith queue
// cancel` or `queue remove` discards a durable job.
import { EXIT_CANCELLED } from './exit-codes.ts';

/** Calls `onFirst` on the first interrupt; returns a function that stops listening. */
export function onInterrupt(onFirst: () => void): () => void {
  let interrupted = false;
  const handler = (): void => {
    if (interrupted) process.exit(EXIT_CANCELLED);
    interrupted = true;
    onFirst();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Signals that stop a durable job (run, resume) and keep it for `framesmith resume`. */
export const KEEPING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type KeepingSignal = (typeof KEEPING_SIGNALS)[number];

/** The shell's convention for a process stopped by a signal: 128 + its number (SIGINT 130, SIGHUP 129, SIGTERM 143). */
export function exitCodeForSignal(signal: KeepingSignal): number {
  return 128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const)[signal];
}

/**
 * Calls `onFirst` with the first of SIGINT, SIGTERM or SIGHUP; a second
 * signal exits at once (the job's record, left running, becomes
 * 'interrupted' on the next start: still kept). Returns a function that
 * stops listening.
 */
export function onJobSignal(onFirst: (signal: KeepingSignal) => void): () => void {
  let first: KeepingSignal | undefined;
  const handlers = KEEPING_SIGNALS.map((signal) => {
    const handler = (): void => {
      if (first) process.exit(exitCodeForSignal(first));
      first = signal;
      onFirst(signal);
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return () => {
    for (const stop of handlers) stop();
  };
}
