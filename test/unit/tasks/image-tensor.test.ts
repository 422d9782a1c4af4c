import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../common/errors.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import {
  convertFrameBitDepth,
  cropTensor,
  frameTileSource,
  frameToTensor,
  padTensorToMultiple,
  tensorToFrame,
} from '../../../engine/tasks/image-tensor.ts';

function patternFrame(width: number, height: number, bitDepth: 8 | 16, index = 0): RgbFrame {
  const count = width * height * 3;
  const data = bitDepth === 16 ? new Uint16Array(count) : new Uint8Array(count);
  const top = bitDepth === 16 ? 65536 : 256;
  for (let i = 0; i < count; i += 1) data[i] = (i * 7919 + (i >> 3) * 31) % top;
  return { width, height, bitDepth, data, index };
}

/** Every possible sample value, packed into a frame. */
function everyValueFrame(bitDepth: 8 | 16): RgbFrame {
  const values = bitDepth === 16 ? 65536 : 256;
  const width = bitDepth === 16 ? 256 : 16;
  const height = Math.ceil(values / 3 / width) + 1;
  const data = bitDepth === 16 ? new Uint16Array(width * height * 3) : new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 1) data[i] = i % values;
  return { width, height, bitDepth, data, index: 3 };
}

function sampleAt(tensor: { dims: number[]; data: Float32Array | Uint16Array }, c: number, y: number, x: number): number {
  const [, , h, w] = tensor.dims;
  return tensor.data[c * h * w + y * w + x];
}

describe('frameToTensor / tensorToFrame', () => {
  for (const bitDepth of [8, 16] as const) {
    for (const range of [[0, 1], [0, 255]] as const) {
      it(`round-trips every ${bitDepth}-bit value exactly through [${range.join(',')}]`, () => {
        const frame = everyValueFrame(bitDepth);
        const tensor = frameToTensor(frame, range);
        expect(tensor.dims).toEqual([1, 3, frame.height, frame.width]);
        expect(tensor.data).toBeInstanceOf(Float32Array);
        const back = tensorToFrame(tensor, range, { bitDepth, index: frame.index });
        expect(back.width).toBe(frame.width);
        expect(back.height).toBe(frame.height);
        expect(back.bitDepth).toBe(bitDepth);
        expect(back.index).toBe(3);
        expect(back.data).toEqual(frame.data);
      });
    }
  }

  it('lays out planes NCHW and scales to the range', () => {
    const frame: RgbFrame = { width: 2, height: 1, bitDepth: 8, data: new Uint8Array([255, 0, 51, 102, 204, 0]), index: 0 };
    const tensor = frameToTensor(frame, [0, 1]);
    expect(Array.from(tensor.data)).toEqual([1, 0.4, 0, 0.8, 0.2, 0].map((v) => Math.fround(v)));
    const wide = frameToTensor(frame, [0, 255]);
    expect(Array.from(wide.data)).toEqual([255, 102, 0, 204, 51, 0]);
  });

  it('clamps, rounds and maps NaN to 0 on the way back', () => {
    // Planar: R = [-0.5, 1.7], G = [NaN, 0.5], B = [0.4/255, 1.6/255].
    const data = new Float32Array([-0.5, 1.7, Number.NaN, 0.5, 0.4 / 255, 1.6 / 255]);
    const frame = tensorToFrame({ dtype: 'float32', dims: [1, 3, 1, 2], data }, [0, 1], { bitDepth: 8, index: 0 });
    expect(Array.from(frame.data)).toEqual([0, 0, 0, 255, 128, 2]);
    const deep = tensorToFrame({ dtype: 'float32', dims: [1, 3, 1, 2], data }, [0, 1], { bitDepth: 16, index: 0 });
    expect(Array.from(deep.data)).toEqual([0, 0, 103, 65535, 32768, 411]);
  });

  it('converts to another bit depth on the way back', () => {
    const frame = patternFrame(9, 5, 8);
    const deep = tensorToFrame(frameToTensor(frame, [0, 1]), [0, 1], { bitDepth: 16, index: 0 });
    expect(Array.from(deep.data)).toEqual(Array.from(frame.data, (v) => v * 257));
  });

  it('pads a region by replicating its last column and row', () => {
    const frame = patternFrame(7, 5, 16);
    const region = { x: 2, y: 1, width: 3, height: 2 };
    const tensor = frameToTensor(frame, [0, 65535], { region, paddedWidth: 5, paddedHeight: 4 });
    expect(tensor.dims).toEqual([1, 3, 4, 5]);
    for (let c = 0; c < 3; c += 1) {
      for (let y = 0; y < 4; y += 1) {
        for (let x = 0; x < 5; x += 1) {
          const sy = region.y + Math.min(y, region.height - 1);
          const sx = region.x + Math.min(x, region.width - 1);
          expect(sampleAt(tensor, c, y, x)).toBe(frame.data[(sy * frame.width + sx) * 3 + c]);
        }
      }
    }
  });

  it('crops back to the unpadded size', () => {
    const frame = patternFrame(13, 7, 8);
    const padded = frameToTensor(frame, [0, 1], { paddedWidth: 16, paddedHeight: 8 });
    const back = tensorToFrame(padded, [0, 1], { bitDepth: 8, index: 0, width: 13, height: 7 });
    expect(back.data).toEqual(frame.data);
    const viaPad = padTensorToMultiple(frameToTensor(frame, [0, 1]), 4);
    expect(viaPad.dims).toEqual([1, 3, 8, 16]);
    expect(viaPad.data).toEqual(padded.data);
    const cropped = cropTensor(viaPad, { x: 0, y: 0, width: 13, height: 7 });
    expect(tensorToFrame(cropped, [0, 1], { bitDepth: 8, index: 0 }).data).toEqual(frame.data);
  });

  it('reads tiles through a frame tile source', () => {
    const frame = patternFrame(11, 9, 8);
    const source = frameTileSource(frame, [0, 1]);
    const tile = source.read({ x: 4, y: 3, width: 5, height: 6 }, 8, 8);
    const whole = frameToTensor(frame, [0, 1]);
    expect(sampleAt(tile, 1, 2, 3)).toBe(sampleAt(whole, 1, 5, 7));
    expect(sampleAt(tile, 2, 7, 7)).toBe(sampleAt(whole, 2, 8, 8));
  });

  it('refuses bad frames, regions and ranges with a typed error', () => {
    const frame = patternFrame(4, 4, 8);
    expect(() => frameToTensor({ ...frame, data: new Uint8Array(5) }, [0, 1])).toThrow(InvalidArgumentError);
    expect(() => frameToTensor({ ...frame, bitDepth: 16 }, [0, 1])).toThrow(InvalidArgumentError);
    expect(() => frameToTensor(frame, [0, 1], { region: { x: 2, y: 0, width: 3, height: 4 } })).toThrow(/outside the 4x4 frame/);
    expect(() => frameToTensor(frame, [1, 1])).toThrow(/low < high/);
    expect(() => tensorToFrame({ dtype: 'float32', dims: [1, 4, 2, 2], data: new Float32Array(16) }, [0, 1], { bitDepth: 8, index: 0 })).toThrow(/\[1,3,H,W\]/);
  });
});

describe('convertFrameBitDepth', () => {
  it('widens 8 to 16 bits exactly and narrows back with rounding', () => {
    const frame = everyValueFrame(8);
    const deep = convertFrameBitDepth(frame, 16);
    expect(deep.bitDepth).toBe(16);
    expect(convertFrameBitDepth(deep, 8).data).toEqual(frame.data);
    const mid: RgbFrame = { width: 1, height: 1, bitDepth: 16, data: new Uint16Array([128, 129, 65535]), index: 0 };
    expect(Array.from(convertFrameBitDepth(mid, 8).data)).toEqual([0, 1, 255]);
  });
});
