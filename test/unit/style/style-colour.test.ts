// Keep-colours and strength on planar float RGB: the output's YCbCr chroma is
// the original's and its luma the stylised one (where nothing clips).
import { describe, expect, it } from 'vitest';
import { blendWithOriginal, keepOriginalColours, lumaPlane } from '../../../engine/tasks/style-colour.ts';

function chroma(planes: Float32Array, plane: number, i: number): [number, number] {
  const [r, g, b] = [planes[i], planes[i + plane], planes[i + 2 * plane]];
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  return [0.564 * (b - y), 0.713 * (r - y)];
}

function randomPlanes(plane: number, seed: number, low = 0, high = 1): Float32Array {
  let state = seed;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < out.length; i += 1) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out[i] = low + (high - low) * (state / 2147483648);
  }
  return out;
}

describe('keepOriginalColours', () => {
  it('keeps the original chroma and the stylised luma where the result stays in gamut', () => {
    const plane = 500;
    const original = randomPlanes(plane, 1, 0.3, 0.7);
    const stylised = randomPlanes(plane, 2, 0.35, 0.65);
    const stylisedLuma = lumaPlane(stylised, plane);
    const result = new Float32Array(stylised);
    keepOriginalColours(result, original, plane);
    const luma = lumaPlane(result, plane);
    for (let i = 0; i < plane; i += 1) {
      const [cb, cr] = chroma(result, plane, i);
      const [ocb, ocr] = chroma(original, plane, i);
      expect(Math.abs(cb - ocb)).toBeLessThan(1e-5);
      expect(Math.abs(cr - ocr)).toBeLessThan(1e-5);
      expect(Math.abs(luma[i] - stylisedLuma[i])).toBeLessThan(1e-5);
    }
  });

  it('clamps at the gamut edge instead of leaving 0..1', () => {
    const plane = 1;
    const original = new Float32Array([1, 0, 0]);
    const stylised = new Float32Array([1, 1, 1]);
    keepOriginalColours(stylised, original, plane);
    expect([...stylised].every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(stylised[0]).toBe(1);
  });
});

describe('blendWithOriginal', () => {
  it('is the original at strength 0, the stylisation at 1 and the mean at 0.5', () => {
    const original = new Float32Array([0, 0.5, 1]);
    const stylised = () => new Float32Array([1, 0.25, 0]);
    const none = stylised();
    blendWithOriginal(none, original, 0);
    expect([...none]).toEqual([...original]);
    const full = stylised();
    blendWithOriginal(full, original, 1);
    expect([...full]).toEqual([...stylised()]);
    const half = stylised();
    blendWithOriginal(half, original, 0.5);
    expect([...half]).toEqual([0.5, 0.375, 0.5]);
  });
});
