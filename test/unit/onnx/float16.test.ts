import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float16ToFloat32Array, float32ToFloat16, float32ToFloat16Array } from '../../../engine/onnx/float16.ts';

/** The value of a half by the IEEE formula, independent of the bit tricks under test. */
function referenceHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function nextFloat32(value: number, direction: 1 | -1): number {
  const bits = new Uint32Array(Float32Array.of(value).buffer);
  bits[0] = bits[0]! + (value >= 0 ? direction : -direction);
  return new Float32Array(bits.buffer)[0]!;
}

describe('float16', () => {
  it('decodes every half exactly and encodes it back to the same bits', () => {
    const all = new Uint16Array(65536).map((_, index) => index);
    const decoded = float16ToFloat32Array(all);
    const encoded = float32ToFloat16Array(decoded);
    const wrong: number[] = [];
    for (let bits = 0; bits < 65536; bits += 1) {
      const expected = referenceHalf(bits);
      const ok = Number.isNaN(expected)
        ? Number.isNaN(decoded[bits]) && (encoded[bits]! & 0x7c00) === 0x7c00 && (encoded[bits]! & 0x3ff) !== 0
        : Object.is(decoded[bits], expected) && encoded[bits] === bits;
      if (!ok) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds to nearest with ties to even across the whole finite range', () => {
    const wrong: number[] = [];
    for (let low = 0; low < 0x7bff; low += 1) {
      const middle = (referenceHalf(low) + referenceHalf(low + 1)) / 2;
      const even = low % 2 === 0 ? low : low + 1;
      const ok = Math.fround(middle) === middle
        && float32ToFloat16(middle) === even
        && float32ToFloat16(nextFloat32(middle, -1)) === low
        && float32ToFloat16(nextFloat32(middle, 1)) === low + 1
        && float32ToFloat16(-middle) === (even | 0x8000);
      if (!ok) wrong.push(low);
    }
    expect(wrong).toEqual([]);
  });

  it('handles the edges: signed zero, overflow, infinities, NaN, subnormal underflow', () => {
    expect(float32ToFloat16(0)).toBe(0x0000);
    expect(float32ToFloat16(-0)).toBe(0x8000);
    expect(Object.is(float16ToFloat32(0x8000), -0)).toBe(true);
    expect(float32ToFloat16(1)).toBe(0x3c00);
    expect(float32ToFloat16(-2)).toBe(0xc000);
    expect(float32ToFloat16(65504)).toBe(0x7bff);
    expect(float32ToFloat16(65519.996)).toBe(0x7bff);
    expect(float32ToFloat16(65520)).toBe(0x7c00);
    expect(float32ToFloat16(1e10)).toBe(0x7c00);
    expect(float32ToFloat16(-1e10)).toBe(0xfc00);
    expect(float32ToFloat16(Infinity)).toBe(0x7c00);
    expect(float32ToFloat16(-Infinity)).toBe(0xfc00);
    expect(float16ToFloat32(0x7c00)).toBe(Infinity);
    expect(Number.isNaN(float16ToFloat32(float32ToFloat16(NaN)))).toBe(true);
    expect(float32ToFloat16(2 ** -24)).toBe(0x0001);
    expect(float32ToFloat16(2 ** -25)).toBe(0x0000);
    expect(float32ToFloat16(nextFloat32(2 ** -25, 1))).toBe(0x0001);
    expect(float32ToFloat16(1e-10)).toBe(0x0000);
    expect(float32ToFloat16(-1e-10)).toBe(0x8000);
    expect(float32ToFloat16(2 ** -14)).toBe(0x0400);
    expect(float32ToFloat16(0.1)).toBe(0x2e66);
    expect(float16ToFloat32(0x3555)).toBeCloseTo(1 / 3, 3);
  });

  it('converts views at an offset and refuses short targets', () => {
    const buffer = new Float32Array([9, 1, 2, 9]);
    const view = buffer.subarray(1, 3);
    expect([...float32ToFloat16Array(view)]).toEqual([0x3c00, 0x4000]);
    expect(() => float32ToFloat16Array(view, new Uint16Array(1))).toThrow(RangeError);
    expect(() => float16ToFloat32Array(new Uint16Array(2), new Float32Array(1))).toThrow(RangeError);
  });
});
