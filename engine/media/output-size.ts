// The one table of how many bytes an encoded output pixel takes, per video
// codec at the engine's default quality and per still-image format. The
// estimate (what the UI shows) reads it as is; the disk check adds its own
// headroom on top (disk-space.ts), so the two never disagree about the
// typical rate again.
//
// Video figures: measured with `framesmith upscale clip.mp4 --model
// realesr-animevideo-xs-x2 --codec C` on a 96x64 testsrc2 clip of 25 frames
// (192x128 output, 8-bit): h264 0.050, h265 0.039, vp9 0.047, av1 0.035,
// prores 0.76, ffv1 1.63, png 2.05 bytes per pixel including the container;
// a 64x48 clip of 12 frames (128x96 output): h264 0.038, vp9 0.037. The
// table sits a little above those (detailed camera footage encodes denser
// than a test pattern); test/integration/plan/output-size.test.ts holds the
// estimate to within 2x of a real output for every codec.
import type { OutputCodec } from '../../common/job-spec.ts';

/** Typical bytes per output pixel per frame, 8-bit, at the default quality. */
export const VIDEO_BYTES_PER_PIXEL: Readonly<Record<OutputCodec, number>> = {
  h264: 0.06,
  h265: 0.055,
  vp9: 0.055,
  av1: 0.05,
  prores: 0.9,
  ffv1: 1.9,
  png: 2.3,
};

/** Typical bytes per pixel of one still image, by file extension (without the dot). */
const IMAGE_BYTES_PER_PIXEL: Readonly<Record<string, number>> = {
  png: 1.5, jpg: 0.25, jpeg: 0.25, webp: 0.19, avif: 0.125, tif: 3, tiff: 3, bmp: 3,
};
const UNKNOWN_IMAGE_BYTES_PER_PIXEL = 1.5;

/** Deeper sources stay deep (10-bit output): more bytes per pixel. */
const HIGH_BIT_DEPTH_FACTOR = 1.6;

export interface VideoSizeQuestion {
  width: number;
  height: number;
  frameCount: number;
  codec: OutputCodec;
  /** 16 for sources deeper than 8 bits (the output keeps 10 bits). */
  bitDepth?: 8 | 16;
}

/** Typical encoded size of the video stream alone, in bytes. */
export function typicalVideoBytes(question: VideoSizeQuestion): number {
  const depth = question.bitDepth === 16 ? HIGH_BIT_DEPTH_FACTOR : 1;
  return Math.ceil(question.width * question.height * question.frameCount * VIDEO_BYTES_PER_PIXEL[question.codec] * depth);
}

/** Typical size of a still image of that size in the format its extension names. */
export function typicalImageBytes(width: number, height: number, extension: string): number {
  const perPixel = IMAGE_BYTES_PER_PIXEL[extension.replace(/^\./, '').toLowerCase()] ?? UNKNOWN_IMAGE_BYTES_PER_PIXEL;
  return Math.ceil(width * height * perPixel);
}
