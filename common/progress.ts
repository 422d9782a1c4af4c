// Progress is numbers, never strings to parse (STYLE.md habit 11).

export type ProgressStage = 'probe' | 'process' | 'finalize';

export interface Progress {
  stage: ProgressStage;
  /** Index of the item (file) in a batch, 0-based, and how many there are. */
  itemIndex: number;
  itemCount: number;
  /** Output frames written so far and the expected total (null when unknown). */
  framesDone: number;
  framesTotal: number | null;
  /** Output frames per second over a recent window. */
  fps: number;
  /** Estimated milliseconds left for this item (null until it can be estimated). */
  etaMs: number | null;
  /** Share of the whole job done, 0..1. */
  fraction: number;
}
