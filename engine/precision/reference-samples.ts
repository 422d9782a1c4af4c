// The inputs a precision is calibrated and judged on, per task, read from a
// folder of reference media (the shared test media: pytoflow triplet, Set5,
// the style pair). Calibration and evaluation use different pictures, so a
// variant is judged on frames it was not tuned to. Interpolation is
// calibrated on the triplet's two half-steps (im1,im2 and im2,im3) and judged
// on im1,im3 against the true im2; super-resolution on crops of three Set5
// images, judged on two others; style on Set5, judged on the chicago photo.
import path from 'node:path';
import { access } from 'node:fs/promises';
import { InvalidArgumentError } from '../../common/errors.ts';
import type { ModelManifest, TensorSpec } from '../../common/model-manifest.ts';
import type { TensorData, TensorMap } from '../inference/tensor.ts';
import type { RgbFrame } from '../media/frame.ts';
import { readImage } from '../media/image-io.ts';
import { frameToTensor } from '../tasks/image-tensor.ts';

export interface ReferenceSamples {
  /** Feeds to observe activation ranges on. */
  calibration: TensorMap[];
  /** Feeds to time and judge variants on. */
  evaluation: TensorMap[];
  /** For interpolation: the true middle frame of each evaluation feed (8-bit RGB). */
  truth?: RgbFrame[];
  /** The reference files used, for the record. */
  files: string[];
}

/** Side of the square centre crops, per task (super-resolution x4 on 64 px is 256 px out). */
const SIDE: Readonly<Record<ModelManifest['task'], number>> = { 'super-resolution': 64, 'style-fast': 256, 'style-arbitrary': 256, interpolation: 0 };

async function present(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** The `width` x `height` region of an 8-bit frame at (x0, y0); the caller keeps it inside. */
function cropAt(frame: RgbFrame, width: number, height: number, x0: number, y0: number): RgbFrame {
  if (x0 < 0 || y0 < 0 || x0 + width > frame.width || y0 + height > frame.height) {
    throw new InvalidArgumentError(`Crop ${width}x${height}+${x0}+${y0} is outside the ${frame.width}x${frame.height} reference image.`);
  }
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    const start = ((y0 + y) * frame.width + x0) * 3;
    data.set(frame.data.subarray(start, start + width * 3), y * width * 3);
  }
  return { width, height, bitDepth: 8, data, index: 0 };
}

/** The centre `side` x `side` of a frame (the whole frame where it is smaller). */
function centreCrop(frame: RgbFrame, side: number): RgbFrame {
  const width = Math.min(side, frame.width);
  const height = Math.min(side, frame.height);
  return cropAt(frame, width, height, Math.floor((frame.width - width) / 2), Math.floor((frame.height - height) / 2));
}

async function readFrame(file: string): Promise<RgbFrame> {
  const { frame } = await readImage(file);
  if (frame.bitDepth !== 8) throw new InvalidArgumentError(`Reference image ${file} is ${frame.bitDepth}-bit; expected 8-bit.`);
  return frame;
}

function inputByRole(manifest: ModelManifest, role: TensorSpec['role']): TensorSpec {
  const spec = manifest.inputs.find((input) => input.role === role);
  if (!spec) throw new InvalidArgumentError(`Model "${manifest.id}" has no input with role "${role}".`);
  return spec;
}

function imageTensor(manifest: ModelManifest, frame: RgbFrame): TensorData {
  return frameToTensor(frame, manifest.valueRange);
}

function constantTensor(dims: number[], value: number): TensorData {
  return { dtype: 'float32', dims, data: new Float32Array(dims.reduce((product, dim) => product * dim, 1)).fill(value) };
}

function interpolationFeed(manifest: ModelManifest, first: RgbFrame, second: RgbFrame): TensorMap {
  return {
    [inputByRole(manifest, 'image0').name]: imageTensor(manifest, first),
    [inputByRole(manifest, 'image1').name]: imageTensor(manifest, second),
    [inputByRole(manifest, 'timestep').name]: constantTensor([1, 1, first.height, first.width], 0.5),
  };
}

/** The files a task's samples come from, relative to the reference folder. */
export function referenceFilesFor(task: ModelManifest['task']): string[] {
  switch (task) {
    case 'interpolation':
      return ['interpolation/pytoflow/im1.png', 'interpolation/pytoflow/im2.png', 'interpolation/pytoflow/im3.png'];
    case 'super-resolution':
      return ['baby', 'head', 'woman', 'bird', 'butterfly'].map((name) => `images/set5/${name}.png`);
    case 'style-fast':
      return ['images/set5/baby.png', 'images/set5/woman.png', 'images/style/chicago.png'];
    case 'style-arbitrary':
      return ['images/set5/baby.png', 'images/set5/woman.png', 'images/style/chicago.png', 'images/style/style_picasso.jpg'];
  }
}

/** The task's reference files under `referenceDir` (without reading them), or undefined when any is missing. */
export async function referenceSampleFiles(manifest: Pick<ModelManifest, 'task'>, referenceDir: string): Promise<string[] | undefined> {
  const files = referenceFilesFor(manifest.task).map((file) => path.join(referenceDir, file));
  const found = await Promise.all(files.map(present));
  return found.every(Boolean) ? files : undefined;
}

/**
 * The task's reference samples from `referenceDir`, or undefined when any
 * file is missing (auto then stays at fp32 and says so). Interpolation frames
 * must be multiples of the model's padding (the pytoflow triplet is 448x256).
 */
export async function loadReferenceSamples(manifest: ModelManifest, referenceDir: string): Promise<ReferenceSamples | undefined> {
  const files = await referenceSampleFiles(manifest, referenceDir);
  if (!files) return undefined;
  const frames = await Promise.all(files.map(readFrame));
  if (manifest.task === 'interpolation') {
    const [first, middle, last] = frames as [RgbFrame, RgbFrame, RgbFrame];
    if (first.width % manifest.padMultiple !== 0 || first.height % manifest.padMultiple !== 0) {
      throw new InvalidArgumentError(`Reference frames of ${first.width}x${first.height} are not multiples of ${manifest.padMultiple}, the padding of "${manifest.id}".`);
    }
    return {
      calibration: [interpolationFeed(manifest, first, middle), interpolationFeed(manifest, middle, last)],
      evaluation: [interpolationFeed(manifest, first, last)],
      truth: [middle],
      files,
    };
  }
  const crops = frames.map((frame) => centreCrop(frame, SIDE[manifest.task]));
  if (manifest.task === 'super-resolution') {
    const feeds = crops.map((crop) => ({ [inputByRole(manifest, 'image').name]: imageTensor(manifest, crop) }));
    return { calibration: feeds.slice(0, 3), evaluation: feeds.slice(3), files };
  }
  if (manifest.task === 'style-fast') {
    const feeds = crops.map((crop) => ({ [inputByRole(manifest, 'image').name]: imageTensor(manifest, crop) }));
    return { calibration: feeds.slice(0, 2), evaluation: feeds.slice(2), files };
  }
  const style = imageTensor(manifest, crops[3] as RgbFrame);
  const feed = (content: RgbFrame): TensorMap => ({
    [inputByRole(manifest, 'content').name]: imageTensor(manifest, content),
    [inputByRole(manifest, 'style').name]: { ...style, data: style.data.slice() },
    [inputByRole(manifest, 'alpha').name]: constantTensor([1, 1, 1, 1], 1),
  });
  return { calibration: [feed(crops[0] as RgbFrame), feed(crops[1] as RgbFrame)], evaluation: [feed(crops[2] as RgbFrame)], files };
}

/** A deep copy (a run transfers its input buffers away). */
export function copyFeed(feed: TensorMap): TensorMap {
  const copy: TensorMap = {};
  for (const [name, tensor] of Object.entries(feed)) copy[name] = { dtype: tensor.dtype, dims: [...tensor.dims], data: tensor.data.slice() };
  return copy;
}
