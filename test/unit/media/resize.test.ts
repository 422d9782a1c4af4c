import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../common/errors.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import { resizeFrame, resizePlane } from '../../../engine/media/resize.ts';

function gradientFrame(width: number, height: number, bitDepth: 8 | 16): RgbFrame {
  const top = bitDepth === 16 ? 65535 : 255;
  const data = bitDepth === 16 ? new Uint16Array(width * height * 3) : new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 3;
      data[i] = Math.round((x / (width - 1)) * top);
      data[i + 1] = Math.round((y / (height - 1)) * top);
      data[i + 2] = Math.round(top / 3);
    }
  }
  return { width, height, bitDepth, data, index: 7 };
}

describe('resizeFrame', () => {
  it('resizes 8-bit frames to the exact size, keeping index and depth', async () => {
    const frame = gradientFrame(33, 19, 8);
    const out = await resizeFrame(frame, 17, 10);
    expect([out.width, out.height, out.bitDepth, out.index]).toEqual([17, 10, 8, 7]);
    expect(out.data).toBeInstanceOf(Uint8Array);
    expect(out.data.length).toBe(17 * 10 * 3);
    expect(out.data[2]).toBe(85);
    expect(out.data[0]).toBeLessThan(out.data[(17 - 1) * 3]);
  });

  it('keeps 16-bit precision (no narrowing to 8 bits, no colour conversion)', async () => {
    const frame = gradientFrame(40, 24, 16);
    const out = await resizeFrame(frame, 20, 12);
    expect(out.bitDepth).toBe(16);
    expect(out.data).toBeInstanceOf(Uint16Array);
    expect(out.data[2]).toBe(21845);
    const narrow = await resizeFrame(gradientFrame(40, 24, 8), 20, 12);
    let worst = 0;
    let offGrid = 0;
    for (let i = 0; i < out.data.length; i += 1) {
      worst = Math.max(worst, Math.abs(out.data[i] / 257 - narrow.data[i]));
      if (out.data[i] % 257 !== 0) offGrid += 1;
    }
    expect(worst).toBeLessThan(1.5);
    expect(offGrid).toBeGreaterThan(out.data.length / 4);
  });

  it('returns the frame itself when the size does not change, and refuses bad sizes', async () => {
    const frame = gradientFrame(8, 8, 8);
    expect(await resizeFrame(frame, 8, 8)).toBe(frame);
    await expect(resizeFrame(frame, 0, 4)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(resizeFrame(frame, 4.5, 4)).rejects.toThrow(/positive integer for the target width/);
  });
});

describe('resizePlane', () => {
  for (const bitDepth of [8, 16] as const) {
    it(`upscales a ${bitDepth}-bit alpha plane to one channel of the exact size`, async () => {
      const top = bitDepth === 16 ? 65535 : 255;
      const data = bitDepth === 16 ? new Uint16Array(12 * 6) : new Uint8Array(12 * 6);
      for (let i = 0; i < data.length; i += 1) data[i] = i % 12 < 6 ? top : 0;
      const out = await resizePlane({ width: 12, height: 6, bitDepth, data }, 48, 24);
      expect([out.width, out.height, out.bitDepth, out.data.length]).toEqual([48, 24, bitDepth, 48 * 24]);
      expect(out.data[0]).toBe(top);
      expect(out.data[47]).toBe(0);
    });
  }
});
