// The cases `npm run bench` measures. Each names its clip, the CLI command
// that processes it, and how long pure inference takes per output frame.
import path from 'node:path';
import { loadStyleImage } from '../engine/tasks/style-image.ts';
import { sharedMediaDir } from '../test/helpers/shared-assets.ts';
import type { InferenceTimer } from './inference-timing.ts';
import { filledTensor, imageTensor } from './inference-timing.ts';

const STYLE_IMAGE = path.join(sharedMediaDir() ?? '', 'images', 'style', 'style_picasso.jpg');

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

/** RIFE x2: one pair inferred per source frame, so half of the output frames cost a run. */
function rifeSecondsPerPair(timer: InferenceTimer, width: number, height: number): Promise<number> {
  return timer.secondsPerRun('rife-v4.6', () => ({
    img0: imageTensor(width, height),
    img1: imageTensor(width, height, 0.9),
    timestep: filledTensor([1, 1, height, width], 0.5),
  }), 5);
}

function fastStyleSeconds(timer: InferenceTimer, width: number, height: number): Promise<number> {
  return timer.secondsPerRun('style-candy', () => ({ input1: imageTensor(width, height, 255) }), 5);
}

/**
 * MicroAST as the engine runs it: the style image read as the CLI reads it
 * (longest side 512), the style encoder once, then the per-frame part timed.
 */
async function microastSeconds(timer: InferenceTimer, width: number, height: number): Promise<number> {
  const style = await loadStyleImage(STYLE_IMAGE, { styleSize: 512, multiple: 4 });
  return timer.secondsPerSplitRun('microast', { style, alpha: filledTensor([1, 1, 1, 1], 1) }, () => ({ content: imageTensor(width, height) }), 5);
}

export const BENCH_CASES: BenchCase[] = [
  upscaleCase('realesr-animevideov3-x4', 160, 90, 16),
  upscaleCase('realesr-general-x4v3', 160, 90, 12),
  upscaleCase('realesr-animevideo-xs-x2', 160, 90, 24),
  upscaleCase('realesrgan-x4plus-anime', 96, 54, 6),
  {
    name: 'interpolate rife-v4.6 x2',
    clip: { width: 320, height: 192, frames: 24, rate: '24' },
    cliArgs: (clip) => ['interpolate', clip, '--multiply', '2'],
    inferenceSecondsPerOutputFrame: async (timer) => (await rifeSecondsPerPair(timer, 320, 192)) / 2,
  },
  {
    name: 'stylize style-candy',
    clip: { width: 320, height: 180, frames: 16, rate: '25' },
    cliArgs: (clip) => ['stylize', clip, '--style', 'candy', '--no-stabilize'],
    inferenceSecondsPerOutputFrame: (timer) => fastStyleSeconds(timer, 320, 180),
  },
  {
    name: 'stylize microast',
    clip: { width: 320, height: 180, frames: 16, rate: '25' },
    cliArgs: (clip) => ['stylize', clip, '--style-image', STYLE_IMAGE, '--no-stabilize'],
    inferenceSecondsPerOutputFrame: (timer) => microastSeconds(timer, 320, 180),
  },
  {
    name: 'chain upscale xs-x2 + interpolate x2',
    clip: { width: 160, height: 96, frames: 16, rate: '24' },
    cliArgs: (clip) => ['run', clip, '--step', 'upscale:model=realesr-animevideo-xs-x2', '--step', 'interpolate:multiply=2'],
    inferenceSecondsPerOutputFrame: async (timer) => {
      const upscale = await timer.secondsPerRun('realesr-animevideo-xs-x2', () => ({ input: imageTensor(160, 96) }), 5);
      const pair = await rifeSecondsPerPair(timer, 320, 192);
      // Per source frame: one upscale and one pair, giving two output frames.
      return (upscale + pair) / 2;
    },
  },
];
