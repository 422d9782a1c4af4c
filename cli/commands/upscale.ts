// `framesmith upscale <inputs...>`: super-resolution of images and videos.
import { Option, type Command } from 'commander';
import {
  Engine,
  OUTPUT_CODECS,
  PROVIDER_PREFERENCES,
  type OutputSettings,
  type ProcessingSettings,
} from '../../engine/index.ts';
import { userCacheDir } from '../app-paths.ts';
import { runBatch } from '../run-batch.ts';
import { parseFraction, parseIntegerOption, parseTileOption } from '../option-parsers.ts';

interface UpscaleFlags {
  output?: string;
  model: string;
  scale?: number;
  width?: number;
  height?: number;
  denoise?: number;
  codec: OutputSettings['codec'];
  crf?: number;
  preset?: string;
  pixelFormat?: OutputSettings['pixelFormat'];
  provider: ProcessingSettings['provider'];
  tile: ProcessingSettings['tile'];
  threads?: number;
  overwrite: boolean;
  recursive: boolean;
  json: boolean;
}

export function registerUpscaleCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('upscale')
    .description('Upscale images and videos with a super-resolution model.')
    .argument('<inputs...>', 'files, folders or glob patterns')
    .option('-o, --output <path>', 'output file (one input) or folder (several inputs); default: beside each input')
    .option('-m, --model <id>', 'super-resolution model id (see "framesmith doctor")', 'realesr-animevideov3-x4')
    .option('-s, --scale <n>', "output scale (default: the model's own)", parseFraction('--scale'))
    .option('--width <px>', 'output width (height follows the aspect ratio unless given)', parseIntegerOption('--width'))
    .option('--height <px>', 'output height', parseIntegerOption('--height'))
    .option('--denoise <s>', 'denoise strength 0..1 (realesr-general-x4v3 only)', parseFraction('--denoise'))
    .addOption(new Option('--codec <codec>', 'video codec').choices(OUTPUT_CODECS).default('h264'))
    .option('--crf <n>', 'quality: lower is better (codec-specific range)', parseIntegerOption('--crf'))
    .option('--preset <name>', 'encoder speed preset (e.g. medium, slow)')
    .addOption(new Option('--pixel-format <fmt>', 'output pixel format').choices(['yuv420p', 'yuv420p10le', 'yuv444p']))
    .addOption(new Option('--provider <name>', 'execution provider').choices(PROVIDER_PREFERENCES).default('auto'))
    .option('--tile <n|auto>', 'tile size in pixels, or auto', parseTileOption, 'auto')
    .option('--threads <n>', 'CPU threads for inference (default: all cores)', parseIntegerOption('--threads'))
    .option('--overwrite', 'replace existing outputs', false)
    .option('-r, --recursive', 'include sub-folders of folder inputs', false)
    .option('--json', 'print one JSON event a line instead of a progress bar', false)
    .action(async (inputs: string[], flags: UpscaleFlags) => {
      const engine = await Engine.create({ cacheDir: userCacheDir() });
      try {
        const code = await runBatch(engine, {
          inputs,
          output: flags.output,
          recursive: flags.recursive,
          json: flags.json,
          steps: [{ kind: 'upscale', model: flags.model, scale: flags.scale, width: flags.width, height: flags.height, denoise: flags.denoise }],
          outputSettings: { codec: flags.codec, crf: flags.crf, preset: flags.preset, pixelFormat: flags.pixelFormat, overwrite: flags.overwrite },
          processing: { provider: flags.provider, tile: flags.tile, threads: flags.threads },
        });
        setExitCode(code);
      } finally {
        await engine.dispose();
      }
    });
}

