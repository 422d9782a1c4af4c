// Turns "a frame was written" into Progress events: fps over a sliding
// window, an ETA, the job-wide fraction, and throttling to about 10 events a
// second so progress never floods IPC or a terminal.
import type { Progress, ProgressStage } from '../../common/progress.ts';

export interface ProgressMeterOptions {
  itemIndex: number;
  itemCount: number;
  framesTotal: number | null;
  onProgress: (progress: Progress) => void;
  /** Minimum milliseconds between events (the last frame is always reported). */
  intervalMs?: number;
  /** Width of the fps window in milliseconds. */
  windowMs?: number;
  now?: () => number;
}

export class ProgressMeter {
  private framesDone = 0;
  private lastEmitAt = -Infinity;
  private itemFraction: number | undefined;
  private readonly samples: { at: number; frames: number }[] = [];
  private readonly intervalMs: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ProgressMeterOptions) {
    this.intervalMs = options.intervalMs ?? 100;
    this.windowMs = options.windowMs ?? 5000;
    this.now = options.now ?? (() => performance.now());
    this.samples.push({ at: this.now(), frames: 0 });
  }

  /**
   * Records `count` more output frames and emits if the throttle allows.
   * `itemFraction` (0..1) overrides frames/total as this item's share done,
   * for chains whose steps cost differently.
   */
  frames(count = 1, itemFraction?: number): void {
    if (itemFraction !== undefined) this.itemFraction = itemFraction;
    this.framesDone += count;
    const at = this.now();
    this.samples.push({ at, frames: this.framesDone });
    while (this.samples.length > 2 && at - (this.samples[1]?.at ?? at) > this.windowMs) this.samples.shift();
    const finished = this.options.framesTotal !== null && this.framesDone >= this.options.framesTotal;
    if (finished || at - this.lastEmitAt >= this.intervalMs) this.emit('process', at);
  }

  /** Emits a stage change (probe, finalize) immediately. */
  stage(stage: ProgressStage): void {
    this.emit(stage, this.now());
  }

  get done(): number {
    return this.framesDone;
  }

  private emit(stage: ProgressStage, at: number): void {
    this.lastEmitAt = at;
    const first = this.samples[0] ?? { at, frames: 0 };
    const elapsedMs = at - first.at;
    const fps = elapsedMs > 0 ? ((this.framesDone - first.frames) * 1000) / elapsedMs : 0;
    const total = this.options.framesTotal;
    const itemFraction = this.itemFraction ?? (total ? Math.min(1, this.framesDone / total) : 0);
    const finishing = stage === 'finalize' ? 1 : itemFraction;
    const etaMs = total !== null && fps > 0 ? Math.max(0, ((total - this.framesDone) / fps) * 1000) : null;
    const { itemIndex, itemCount } = this.options;
    this.options.onProgress({
      stage,
      itemIndex,
      itemCount,
      framesDone: this.framesDone,
      framesTotal: total,
      fps,
      etaMs,
      fraction: Math.min(1, (itemIndex + finishing) / Math.max(1, itemCount)),
    });
  }
}
