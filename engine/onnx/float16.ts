// IEEE 754 binary16 <-> binary32 for GPU providers that run fp16 graphs.
// Callers of ModelSession always see float32; the session converts at the
// boundary. float32 -> float16 rounds to nearest, ties to even (as numpy and
// onnxruntime do), overflows to infinity and keeps NaN a NaN.

function roundedHalfFromBits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200 | (mantissa >>> 13));
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half (or zero): values below half the smallest subnormal round to zero.
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    const halfway = 1 << (shift - 1);
    const remainder = full & ((1 << shift) - 1);
    let result = full >>> shift;
    if (remainder > halfway || (remainder === halfway && (result & 1) === 1)) result += 1;
    return sign | result;
  }
  let result = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa bumps the exponent, up to infinity: both correct.
  if (remainder > 0x1000 || (remainder === 0x1000 && (result & 1) === 1)) result += 1;
  return sign | result;
}

/** Float32 values to float16 bit patterns (Uint16), rounding to nearest even. */
export function float32ToFloat16Array(source: Float32Array, target = new Uint16Array(source.length)): Uint16Array {
  if (target.length < source.length) throw new RangeError(`float16 target holds ${target.length} values, ${source.length} needed`);
  const bits = new Uint32Array(source.buffer, source.byteOffset, source.length);
  for (let index = 0; index < bits.length; index += 1) target[index] = roundedHalfFromBits(bits[index]);
  return target;
}

/** Float16 bit patterns (Uint16) to float32 values; exact (every half is a float). */
export function float16ToFloat32Array(source: Uint16Array, target = new Float32Array(source.length)): Float32Array {
  if (target.length < source.length) throw new RangeError(`float32 target holds ${target.length} values, ${source.length} needed`);
  const targetBits = new Uint32Array(target.buffer, target.byteOffset, target.length);
  for (let index = 0; index < source.length; index += 1) {
    const half = source[index];
    const sign = (half & 0x8000) << 16;
    const exponent = (half >>> 10) & 0x1f;
    const mantissa = half & 0x3ff;
    if (exponent === 0) {
      const magnitude = mantissa * 5.960464477539063e-8;
      target[index] = sign === 0 ? magnitude : -magnitude;
    } else if (exponent === 0x1f) {
      targetBits[index] = (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
    } else {
      targetBits[index] = (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
    }
  }
  return target;
}

/** One float32 value to its float16 bit pattern. */
export function float32ToFloat16(value: number): number {
  return float32ToFloat16Array(Float32Array.of(value))[0];
}

/** One float16 bit pattern to its float32 value. */
export function float16ToFloat32(bits: number): number {
  return float16ToFloat32Array(Uint16Array.of(bits))[0];
}
