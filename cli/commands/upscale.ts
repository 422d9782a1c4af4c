// `framesmith upscale <inputs...>`: super-resolution of images and videos.
import type { Command } from 'commander';
import { Engine } from '../../engine/index.ts';
import { userCacheDir, userGpuDir } from '../app-paths.ts';
import { pullOnUse } from '../model-pull.ts';
import { parseFraction, parseIntegerOption } from '../option-parsers.ts';
import { runBatch } from '../run-batch.ts';
import { addSharedOptions, batchRequest, type SharedFlags } from '../shared-options.ts';

interface UpscaleFlags extends SharedFlags {
  model: string;
  scale?: number;
  width?: number;
  height?: number;
  denoise?: number;
  pull: boolean;
}

export function registerUpscaleCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command('upscale')
    .description('Upscale images and videos with a super-resolution model.')
    .argument('<inputs...>', 'files, folders or glob patterns')
    .option('-m, --model <id>', 'super-resolution model id (see "framesmith doctor")', 'realesr-animevideov3-x4')
    .option('-s, --scale <n>', "output scale (default: the model's own)", parseFraction('--scale'))
    .option('--width <px>', 'output width (height follows the aspect ratio unless given)', parseIntegerOption('--width'))
    .option('--height <px>', 'output height', parseIntegerOption('--height'))
    .option('--denoise <s>', 'denoise strength 0..1 (realesr-general-x4v3 only)', parseFraction('--denoise'))
    .option('--pull', 'download the model first when it is not installed (on a terminal you are asked otherwise)', false);
  addSharedOptions(command).action(async (inputs: string[], flags: UpscaleFlags) => {
    const pulled = await pullOnUse(flags.model, { pull: flags.pull, json: flags.json });
    if (pulled !== undefined) {
      setExitCode(pulled);
      return;
    }
    const step = { kind: 'upscale', model: flags.model, scale: flags.scale, width: flags.width, height: flags.height, denoise: flags.denoise };
    const engine = await Engine.create({ cacheDir: userCacheDir(), gpuDir: userGpuDir() });
    try {
      setExitCode(await runBatch(engine, batchRequest(inputs, flags, [step])));
    } finally {
      await engine.dispose();
    }
  });
}
