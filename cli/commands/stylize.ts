// `framesmith stylize <inputs...>`: a fast style by name or any style image.
// A missing style image or an unknown style is refused while planning (exit
// code 2), before any frame is decoded; a style whose model is not installed
// is downloaded first with --pull, or after asking on a terminal.
import path from 'node:path';
import type { Command } from 'commander';
import { Engine } from '../../engine/index.ts';
import { userCacheDir, userGpuDir } from '../app-paths.ts';
import { addPullOption, pullOnUse } from '../model-pull.ts';
import { parseFraction, parseIntegerOption } from '../option-parsers.ts';
import { runBatch } from '../run-batch.ts';
import { addSharedOptions, batchRequest, type SharedFlags } from '../shared-options.ts';

interface StylizeFlags extends SharedFlags {
  style?: string;
  styleImage?: string;
  model?: string;
  strength?: number;
  keepColors: boolean;
  styleSize?: number;
  stabilize?: boolean;
  pull: boolean;
}

export function registerStylizeCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command('stylize')
    .description('Repaint images and videos in a style: a built-in style (--style) or any style image (--style-image).')
    .argument('<inputs...>', 'files, folders or glob patterns')
    .option('--style <name>', 'built-in style: candy, mosaic, pointilism, rain-princess or udnie')
    .option('--style-image <file>', 'any image whose style to copy (arbitrary style transfer)')
    .option('-m, --model <id>', 'arbitrary-style model for --style-image (default: microast)')
    .option('--strength <s>', 'style strength 0..1 (default 1)', parseFraction('--strength'))
    .option('--keep-colors', 'keep the original colours (stylised brightness, original chroma)', false)
    .option('--style-size <px>', 'longest side the style image is read at (default 512)', parseIntegerOption('--style-size'))
    .option('--stabilize', 'temporal stabilisation against flicker (default for video)')
    .option('--no-stabilize', 'stylise every video frame on its own');
  addSharedOptions(addPullOption(command)).action(async (inputs: string[], flags: StylizeFlags) => {
    const pulled = await pullOnUse({ kind: 'stylize', style: flags.style, model: flags.model }, { pull: flags.pull, json: flags.json });
    if (pulled !== undefined) {
      setExitCode(pulled);
      return;
    }
    const step = {
      kind: 'stylize',
      style: flags.style,
      styleImage: flags.styleImage === undefined ? undefined : path.resolve(flags.styleImage),
      model: flags.model,
      strength: flags.strength,
      keepColors: flags.keepColors,
      styleSize: flags.styleSize,
      stabilize: flags.stabilize,
    };
    const engine = await Engine.create({ cacheDir: userCacheDir(), gpuDir: userGpuDir() });
    try {
      setExitCode(await runBatch(engine, batchRequest(inputs, flags, [step])));
    } finally {
      await engine.dispose();
    }
  });
}
