// Where each item of a batch is written. `-o` names a file for one input and
// a folder for several (or whenever the caller says it is a folder: a job's
// output folder that does not exist yet is still a folder, and is created);
// without it each output goes beside its input. Video takes the requested
// container (a preset's), else keeps its own where the codec fits it, else
// takes the codec's own; an explicit output file name keeps its extension.
// PNG sequences are folders; images keep their format (BMP becomes PNG).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '../../common/errors.ts';
import { applyNameTemplate, DEFAULT_NAME_TEMPLATE, extensionOf, stemOf } from '../../common/output-naming.ts';
import { CODEC_SPECS, CONTAINER_FORMATS, containerFromPath, type VIDEO_CONTAINERS, type VideoCodec } from '../media/codecs.ts';
import { imageFormatFromPath } from '../media/image-io.ts';
import type { InputItem } from './expand-inputs.ts';

export interface OutputPlanOptions {
  /** The user's -o: a file (one input) or a folder. */
  output?: string;
  /** `output` is a folder even where it does not exist yet (planBatch creates it). */
  outputIsFolder?: boolean;
  codec: VideoCodec;
  /** Container of planned names (must hold the codec); default as the header says. */
  container?: (typeof VIDEO_CONTAINERS)[number];
  /** Short label of the work done, e.g. "upscaled-x4". */
  label: string;
  nameTemplate?: string;
  cwd?: string;
}

/** The extension an item's output gets ("" for a PNG-sequence folder). */
export function outputExtension(item: InputItem, codec: VideoCodec, container?: (typeof VIDEO_CONTAINERS)[number]): string {
  if (item.kind === 'image') return imageFormatFromPath(item.path) ? extensionOf(item.path) : '.png';
  const spec = CODEC_SPECS[codec];
  if (container !== undefined) {
    assertContainerHolds(codec, container);
    return CONTAINER_FORMATS[container].extension;
  }
  if (spec.defaultContainer === 'image-sequence') return '';
  const sourceContainer = containerFromPath(item.path);
  if (sourceContainer && sourceContainer !== 'image-sequence' && spec.containers.includes(sourceContainer)) {
    return extensionOf(item.path);
  }
  return CONTAINER_FORMATS[spec.defaultContainer as keyof typeof CONTAINER_FORMATS].extension;
}

/** A codec/container pair that cannot be written is refused before any work. */
export function assertContainerHolds(codec: VideoCodec, container: (typeof VIDEO_CONTAINERS)[number]): void {
  const spec = CODEC_SPECS[codec];
  if (spec.containers.includes(container)) return;
  const fits = spec.containers.filter((name) => name !== 'image-sequence');
  const advice = fits.length > 0 ? `Choose the container ${fits.join(' or ')}, or another codec.` : 'Leave the container unset (it writes a folder of PNG files), or choose another codec.';
  throw new InvalidArgumentError(`The ${codec} codec cannot be written to ${container}. ${advice}`);
}

function looksLikeFolder(target: string): boolean {
  if (/[\\/]$/.test(target)) return true;
  return existsSync(target) && statSync(target).isDirectory();
}

function checkExplicitFile(item: InputItem, target: string, codec: VideoCodec): void {
  if (item.kind === 'image') {
    if (!imageFormatFromPath(target)) {
      throw new InvalidArgumentError(`Cannot write an image to ${target}: use .png, .jpg, .webp, .tif or .avif.`);
    }
    return;
  }
  const container = containerFromPath(target);
  const spec = CODEC_SPECS[codec];
  if (!container || !spec.containers.includes(container)) {
    const fits = spec.containers.map((name) => (name === 'image-sequence' ? 'a folder (no extension)' : CONTAINER_FORMATS[name].extension));
    throw new InvalidArgumentError(`The ${codec} codec cannot be written to ${target}. Use ${fits.join(' or ')}, or another codec.`, {
      hint: { field: 'outputSettings.codec', action: 'choose-codec' },
    });
  }
}

/** The folder itself is created by the output check (assertOutputAllowed) once every name is planned. */
function assertNotAFile(target: string): void {
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new InvalidArgumentError(`The output folder ${target} is a file. Choose a folder, or give one input to write to a file.`);
  }
}

export function planOutputPaths(items: readonly InputItem[], options: OutputPlanOptions): string[] {
  const cwd = options.cwd ?? process.cwd();
  const template = options.nameTemplate ?? DEFAULT_NAME_TEMPLATE;
  const target = options.output === undefined ? undefined : path.resolve(cwd, options.output);
  if (options.container !== undefined) assertContainerHolds(options.codec, options.container);
  const intoFolder = target !== undefined && (items.length > 1 || options.outputIsFolder === true || looksLikeFolder(options.output ?? ''));
  if (target !== undefined && intoFolder) assertNotAFile(target);
  const paths = items.map((item) => {
    if (target !== undefined && !intoFolder) {
      checkExplicitFile(item, target, options.codec);
      return target;
    }
    const fileName = applyNameTemplate(template, { name: stemOf(item.path), preset: options.label, ext: outputExtension(item, options.codec, options.container) });
    return path.join(target ?? path.dirname(item.path), fileName);
  });
  const seen = new Map<string, string>();
  for (const [index, output] of paths.entries()) {
    const input = items[index]?.path ?? '';
    const earlier = seen.get(output);
    if (earlier) {
      throw new InvalidArgumentError(`${earlier} and ${input} would both be written to ${output}. Use a name template with {name}, or separate output folders.`);
    }
    seen.set(output, input);
  }
  return paths;
}
