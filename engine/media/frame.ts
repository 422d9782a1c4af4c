// A decoded video frame or image as packed RGB, the unit that flows between
// decoder, stages and encoder. 8-bit frames hold rgb24 bytes; 16-bit frames
// hold rgb48 (native-endian Uint16Array, little-endian on every platform we ship).

export type BitDepth = 8 | 16;

export interface RgbFrame {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: BitDepth;
  /** width * height * 3 samples, row-major, RGB interleaved. */
  readonly data: Uint8Array | Uint16Array;
  /** Index of this frame in its stream (output numbering after a stage). */
  readonly index: number;
}

export function frameSampleCount(width: number, height: number): number {
  return width * height * 3;
}

export function frameByteLength(width: number, height: number, bitDepth: BitDepth): number {
  return frameSampleCount(width, height) * (bitDepth === 16 ? 2 : 1);
}
