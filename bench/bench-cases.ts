// The cases `npm run bench` measures. Each names its clip, the CLI command
// that processes it, and what pure inference costs per output frame. Cases
// come at the sizes users work at (1280x720 and 1920x1080: a few frames are
// enough there) beside the small ones that run in seconds.
import path from 'node:path';
import { INTERPOLATION_PARALLEL_RUNS } from '../engine/tasks/interpolation.ts';
import { loadStyleImage } from '../engine/tasks/style-image.ts';
import { sharedMediaDir } from '../test/helpers/shared-assets.ts';
import type { InferenceTimer, RunCost } from './inference-timing.ts';
import { addCosts, filledTensor, imageTensor, scaleCost } from './inference-timing.ts';

const STYLE_IMAGE = path.join(sharedMediaDir() ?? '', 'images', 'style', 'style_picasso.jpg');

/** Inference-only runs per timing (after one warm-up); fewer at the large sizes. */
function runsFor(width: number, height: number): number {
  return width * height >= 1280 * 720 ? 2 : 5;
}

export interface BenchCase {
  name: string;
  clip: { width: number; height: number; frames: number; rate: string };
  cliArgs(clip: string): string[];
  inferenceCostPerOutputFrame(timer: InferenceTimer): Promise<RunCost>;
}

/** x4 models at 720p and 1080p write 2880p and 4320p: slow, but what an upscale of real video costs. */
function upscaleCase(model: string, width: number, height: number, frames: number): BenchCase {
  return {
    name: `upscale ${model}`,
    clip: { width, height, frames, rate: '25' },
    cliArgs: (clip) => ['upscale', clip, '--model', model],
    inferenceCostPerOutputFrame: (timer) => timer.secondsPerRun(model, () => ({ input: imageTensor(width, height) }), runsFor(width, height)),
  };
}

function padded(value: number): number {
  return Math.ceil(value / 32) * 32;
}

/** RIFE x2: one pair inferred per source frame (at the padded size), so half of the output frames cost a run; runs kept in flight as the stage keeps them. */
function rifeCostPerPair(timer: InferenceTimer, width: number, height: number): Promise<RunCost> {
  const [paddedWidth, paddedHeight] = [padded(width), padded(height)];
  return timer.secondsPerRun('rife-v4.6', () => ({
    img0: imageTensor(paddedWidth, paddedHeight),
    img1: imageTensor(paddedWidth, paddedHeight, 0.9),
    timestep: filledTensor([1, 1, paddedHeight, paddedWidth], 0.5),
  }), runsFor(width, height), INTERPOLATION_PARALLEL_RUNS);
}

/** x2 of n frames writes 2n frames from n - 1 model runs (the last frame is held): on short clips that is well under a half. */
function pairsPerOutputFrame(frames: number): number {
  return (frames - 1) / (2 * frames);
}

function interpolateCase(width: number, height: number, frames: number): BenchCase {
  return {
    name: 'interpolate rife-v4.6 x2',
    clip: { width, height, frames, rate: '24' },
    cliArgs: (clip) => ['interpolate', clip, '--multiply', '2'],
    inferenceCostPerOutputFrame: async (timer) => scaleCost(await rifeCostPerPair(timer, width, height), pairsPerOutputFrame(frames)),
  };
}

function candyCase(width: number, height: number, frames: number): BenchCase {
  return {
    name: 'stylize style-candy',
    clip: { width, height, frames, rate: '25' },
    cliArgs: (clip) => ['stylize', clip, '--style', 'candy', '--no-stabilize'],
    inferenceCostPerOutputFrame: (timer) => timer.secondsPerRun('style-candy', () => ({ input1: imageTensor(width, height, 255) }), runsFor(width, height)),
  };
}

/**
 * MicroAST as the engine runs it: the style image read as the CLI reads it
 * (longest side 512), the style encoder once, then the per-frame part timed.
 */
function microastCase(width: number, height: number, frames: number): BenchCase {
  return {
    name: 'stylize microast',
    clip: { width, height, frames, rate: '25' },
    cliArgs: (clip) => ['stylize', clip, '--style-image', STYLE_IMAGE, '--no-stabilize'],
    inferenceCostPerOutputFrame: async (timer) => {
      const style = await loadStyleImage(STYLE_IMAGE, { styleSize: 512, multiple: 4 });
      return timer.secondsPerSplitRun('microast', { style, alpha: filledTensor([1, 1, 1, 1], 1) }, () => ({ content: imageTensor(width, height) }), runsFor(width, height));
    },
  };
}

/** upscale xs-x2 then interpolate x2: per source frame one upscale and (but for the last) one pair at twice the size, giving two output frames. */
function chainCase(width: number, height: number, frames: number): BenchCase {
  return {
    name: 'chain upscale xs-x2 + interpolate x2',
    clip: { width, height, frames, rate: '24' },
    cliArgs: (clip) => ['run', clip, '--step', 'upscale:model=realesr-animevideo-xs-x2', '--step', 'interpolate:multiply=2'],
    inferenceCostPerOutputFrame: async (timer) => {
      const upscale = await timer.secondsPerRun('realesr-animevideo-xs-x2', () => ({ input: imageTensor(width, height) }), runsFor(width, height));
      const pair = await rifeCostPerPair(timer, width * 2, height * 2);
      return addCosts(scaleCost(upscale, 0.5), scaleCost(pair, pairsPerOutputFrame(frames)));
    },
  };
}

/** Each case's name carries its size, so `npm run bench -- 1080` picks the 1080p ones. */
function sized(benchCase: BenchCase): BenchCase {
  return { ...benchCase, name: `${benchCase.name} ${benchCase.clip.width}x${benchCase.clip.height}` };
}

export const BENCH_CASES: BenchCase[] = [
  upscaleCase('realesr-animevideov3-x4', 160, 90, 16),
  upscaleCase('realesr-general-x4v3', 160, 90, 12),
  upscaleCase('realesr-animevideo-xs-x2', 160, 90, 24),
  upscaleCase('realesrgan-x4plus-anime', 96, 54, 6),
  interpolateCase(320, 192, 24),
  candyCase(320, 180, 16),
  microastCase(320, 180, 16),
  chainCase(160, 96, 16),
  // The sizes users work at.
  upscaleCase('realesr-animevideov3-x4', 1280, 720, 3),
  upscaleCase('realesr-animevideo-xs-x2', 1280, 720, 4),
  upscaleCase('realesr-general-x4v3', 1280, 720, 2),
  interpolateCase(1280, 720, 6),
  candyCase(1280, 720, 4),
  microastCase(1280, 720, 4),
  chainCase(640, 360, 6),
  upscaleCase('realesr-animevideo-xs-x2', 1920, 1080, 3),
  upscaleCase('realesr-animevideov3-x4', 1920, 1080, 2),
  interpolateCase(1920, 1080, 4),
  candyCase(1920, 1080, 3),
  microastCase(1920, 1080, 3),
  chainCase(960, 540, 4),
].map(sized);
