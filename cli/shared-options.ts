// Options every processing command shares (output, encoding, provider,
// batch), declared once so upscale, interpolate, stylize and run agree.
import { Option, type Command } from 'commander';
import { OUTPUT_CODECS, PRECISIONS, PROVIDER_PREFERENCES, type BatchRequest, type OutputSettings, type ProcessingSettings } from '../engine/index.ts';
import { parseIntegerOption, parseMegapixelsOption, parseTileOption } from './option-parsers.ts';

export interface SharedFlags {
  output?: string;
  codec: OutputSettings['codec'];
  crf?: number;
  speed?: string;
  pixelFormat?: OutputSettings['pixelFormat'];
  audio: OutputSettings['audio'];
  provider: ProcessingSettings['provider'];
  tile: ProcessingSettings['tile'];
  threads?: number;
  maxMegapixels?: number;
  precision?: ProcessingSettings['precision'];
  overwrite: boolean;
  recursive: boolean;
  json: boolean;
}

export function addSharedOptions(command: Command): Command {
  return command
    .option('-o, --output <path>', 'output file (one input) or folder (several inputs); default: beside each input')
    .addOption(new Option('--codec <codec>', 'video codec').choices(OUTPUT_CODECS).default('h264'))
    .option('--crf <n>', 'quality: lower is better (codec-specific range)', parseIntegerOption('--crf'))
    .option('--speed <name>', 'encoder speed: ultrafast .. veryslow (default: medium)')
    .addOption(new Option('--pixel-format <fmt>', 'output pixel format').choices(['yuv420p', 'yuv420p10le', 'yuv444p']))
    .addOption(new Option('--audio <policy>', 'audio from the source: copy (converting only what the container cannot hold), transcode or drop').choices(['copy', 'transcode', 'drop']).default('copy'))
    .addOption(new Option('--provider <name>', 'execution provider').choices(PROVIDER_PREFERENCES).default('auto'))
    .option('--tile <n|auto>', 'tile size in pixels, or auto', parseTileOption, 'auto')
    .option('--threads <n>', 'CPU threads for inference (default: all cores)', parseIntegerOption('--threads'))
    .option('--max-megapixels <n>', 'refuse input images and video frames above this size, before decoding (default: 100)', parseMegapixelsOption)
    .addOption(new Option('--precision <name>', 'numeric precision (default: fp32 on the CPU, as published on GPUs); auto measures once per model and machine and picks the fastest within the quality bound').choices(PRECISIONS))
    .option('--overwrite', 'replace existing outputs', false)
    .option('-r, --recursive', 'include sub-folders of folder inputs', false)
    .option('--json', 'print one JSON event a line instead of a progress bar', false);
}

/** The batch request for a command's inputs, shared flags and chain. */
export function batchRequest(inputs: string[], flags: SharedFlags, steps: unknown[]): BatchRequest & { json: boolean } {
  return {
    inputs,
    output: flags.output,
    recursive: flags.recursive,
    json: flags.json,
    steps,
    outputSettings: { codec: flags.codec, crf: flags.crf, preset: flags.speed, pixelFormat: flags.pixelFormat, audio: flags.audio, overwrite: flags.overwrite },
    processing: { provider: flags.provider, tile: flags.tile, threads: flags.threads, maxMegapixels: flags.maxMegapixels, precision: flags.precision, ...(flags.precision === 'auto' ? { measurePrecision: true } : {}) },
  };
}
