// The cases `npm run bench` measures. Each names its clip, the CLI command
// that processes it, and how long pure inference takes per output frame.
import type { InferenceTimer } from './inference-timing.ts';
import { imageTensor } from './inference-timing.ts';

export interface BenchCase {
  name: string;
  clip: { width: number; height: number; frames: number; rate: string };
  cliArgs(clip: string): string[];
  inferenceSecondsPerOutputFrame(timer: InferenceTimer): Promise<number>;
}

function upscaleCase(model: string, width: number, height: number, frames: number): BenchCase {
  return {
    name: `upscale ${model}`,
    clip: { width, height, frames, rate: '25' },
    cliArgs: (clip) => ['upscale', clip, '--model', model],
    inferenceSecondsPerOutputFrame: (timer) => timer.secondsPerRun(model, () => ({ input: imageTensor(width, height) }), 5),
  };
}

export const BENCH_CASES: BenchCase[] = [
  upscaleCase('realesr-animevideov3-x4', 160, 90, 16),
  upscaleCase('realesr-general-x4v3', 160, 90, 12),
  upscaleCase('realesr-animevideo-xs-x2', 160, 90, 24),
  upscaleCase('realesrgan-x4plus-anime', 96, 54, 6),
];
