// How the CLI tells a person or a script what is happening: a progress bar on
// a terminal, one JSON object a line with --json, plain lines otherwise.
import { SingleBar } from 'cli-progress';
import type { Progress, SerializedError } from '../engine/index.ts';
import { cliErrorText } from './error-text.ts';

export type CliEvent =
  | { type: 'start'; item: string; index: number; count: number }
  | { type: 'progress'; item: string; progress: Progress }
  | { type: 'notice'; item: string; message: string }
  | { type: 'done'; item: string; output: string; frames: number; seconds: number; provider?: string }
  | { type: 'error'; item?: string; error: SerializedError }
  | { type: 'cancelled'; item?: string }
  /** A durable job stopped by a signal and kept (resumable); `message` says how to go on. */
  | { type: 'interrupted'; job: string; signal: string; message: string };

export interface Reporter {
  event(event: CliEvent): void;
  close(): void;
}

function formatEta(etaMs: number | null): string {
  if (etaMs === null) return '--:--';
  const seconds = Math.round(etaMs / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

export class JsonReporter implements Reporter {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}
  event(event: CliEvent): void {
    this.out.write(`${JSON.stringify(event)}\n`);
  }
  close(): void {}
}

export class TextReporter implements Reporter {
  private bar: SingleBar | undefined;
  private itemCount = 0;
  private succeeded = 0;
  private failed = 0;
  private cancelled = false;
  /** Off a terminal: the last tenth of the item reported as a plain line. */
  private tenthReported = 0;

  constructor(
    private readonly interactive: boolean,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  event(event: CliEvent): void {
    switch (event.type) {
      case 'start':
        this.stopBar();
        this.itemCount = event.count;
        this.tenthReported = 0;
        this.line(`[${event.index + 1}/${event.count}] ${event.item}`);
        return;
      case 'progress': {
        const { progress } = event;
        const payload = { fps: progress.fps.toFixed(1), etaText: formatEta(progress.etaMs) };
        // The bar appears with the first frame (so it never shows a made-up
        // total while the model loads) and comes back after a notice; a
        // single image gets none.
        if (!this.bar && this.interactive && progress.stage === 'process' && progress.framesTotal !== 1) {
          this.bar = new SingleBar({
            format: `  {bar} {percentage}% | {value}/${progress.framesTotal === null ? '?' : '{total}'} frames | {fps} fps | ETA {etaText}`,
            barsize: 30,
            hideCursor: true,
            stream: this.out,
          });
          this.bar.start(progress.framesTotal ?? Math.max(1, progress.framesDone), progress.framesDone, payload);
        }
        if (this.bar) {
          if (progress.framesTotal !== null) this.bar.setTotal(progress.framesTotal);
          this.bar.update(progress.framesDone, payload);
        } else if (!this.interactive && progress.stage === 'process' && progress.framesTotal !== null && progress.framesTotal > 1) {
          // Logs get a line every tenth of a video, so long runs show they are alive.
          const tenth = Math.floor((progress.framesDone * 10) / progress.framesTotal);
          if (tenth > this.tenthReported && tenth < 10) {
            this.tenthReported = tenth;
            this.line(`  ${tenth * 10}% (${progress.framesDone}/${progress.framesTotal} frames, ${payload.fps} fps, ETA ${payload.etaText})`);
          }
        }
        return;
      }
      case 'notice':
        this.stopBar();
        this.line(`  note: ${event.message}`);
        return;
      case 'done': {
        this.stopBar();
        this.succeeded += 1;
        const frames = event.frames === 1 ? '' : `${event.frames} frames in `;
        this.line(`  done: ${event.output} (${frames}${event.seconds.toFixed(1)} s${event.provider ? `, ${event.provider}` : ''})`);
        return;
      }
      case 'error':
        this.stopBar();
        if (event.item) this.failed += 1;
        this.line(`  error${event.item ? ` (${event.item})` : ''}: ${cliErrorText(event.error)}`);
        if (event.error.detail && process.env.FRAMESMITH_DEBUG) this.line(event.error.detail);
        return;
      case 'cancelled':
        this.stopBar();
        this.cancelled = true;
        this.line('  cancelled: no output was left behind.');
        return;
      case 'interrupted':
        this.stopBar();
        this.cancelled = true;
        this.line(`  interrupted (${event.signal}): ${event.message}`);
        return;
    }
  }

  close(): void {
    this.stopBar();
    if (this.itemCount > 1 && !this.cancelled) {
      const skipped = this.itemCount - this.succeeded - this.failed;
      this.line(`${this.succeeded} of ${this.itemCount} done${this.failed > 0 ? `, ${this.failed} failed` : ''}${skipped > 0 ? `, ${skipped} not started` : ''}.`);
    }
  }

  private stopBar(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private line(text: string): void {
    this.out.write(`${text}\n`);
  }
}

/** A command's failure for a person (stderr; the detail with FRAMESMITH_DEBUG) or, with --json, as an error event on stdout. */
export function printError(error: SerializedError, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify({ type: 'error', error })}\n`);
  else process.stderr.write(`error: ${cliErrorText(error)}\n${error.detail && process.env.FRAMESMITH_DEBUG ? `${error.detail}\n` : ''}`);
}
