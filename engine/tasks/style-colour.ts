// Colour post-processing of a stylised frame, on planar float RGB in 0..1
// (three planes of width*height, as frameToTensor gives with range [0,1]).
//
// "Keep original colours" keeps the stylised luma and the original chroma in
// full-range BT.601 YCbCr. R, G and B are each Y plus a fixed combination of
// Cb and Cr, so holding Cb and Cr fixed while Y changes by dY adds dY to all
// three channels: out = original + (Y_stylised - Y_original). Where that
// leaves 0..1 the channel is clamped, which shifts chroma only at the gamut
// edge (near-white or near-black pixels with saturated original colour).

export const LUMA_RED = 0.299;
export const LUMA_GREEN = 0.587;
export const LUMA_BLUE = 0.114;

function clampUnit(value: number): number {
  return value > 0 ? (value < 1 ? value : 1) : 0;
}

/** The BT.601 luma plane of planar RGB. */
export function lumaPlane(planes: Float32Array, plane: number, out: Float32Array = new Float32Array(plane)): Float32Array {
  for (let i = 0; i < plane; i += 1) {
    out[i] = LUMA_RED * planes[i] + LUMA_GREEN * planes[i + plane] + LUMA_BLUE * planes[i + 2 * plane];
  }
  return out;
}

/** In place: `stylised` keeps its luma and takes the chroma of `original` (clamped to 0..1). */
export function keepOriginalColours(stylised: Float32Array, original: Float32Array, plane: number): void {
  for (let i = 0; i < plane; i += 1) {
    const r = i;
    const g = i + plane;
    const b = i + 2 * plane;
    const delta = LUMA_RED * (stylised[r] - original[r]) + LUMA_GREEN * (stylised[g] - original[g]) + LUMA_BLUE * (stylised[b] - original[b]);
    stylised[r] = clampUnit(original[r] + delta);
    stylised[g] = clampUnit(original[g] + delta);
    stylised[b] = clampUnit(original[b] + delta);
  }
}

/** In place: strength * stylised + (1 - strength) * original. */
export function blendWithOriginal(stylised: Float32Array, original: Float32Array, strength: number): void {
  if (strength >= 1) return;
  const keep = 1 - strength;
  for (let i = 0; i < stylised.length; i += 1) stylised[i] = strength * stylised[i] + keep * original[i];
}

/** In place: every sample clamped to 0..1. */
export function clampPlanes(planes: Float32Array): void {
  for (let i = 0; i < planes.length; i += 1) planes[i] = clampUnit(planes[i]);
}
