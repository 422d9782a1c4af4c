// Ctrl-C and SIGTERM for long commands: the first cancels cleanly (the
// caller aborts its work, which removes partial output); a second exits at
// once with 130.
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
