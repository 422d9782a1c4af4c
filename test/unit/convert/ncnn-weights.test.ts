import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../common/errors.ts';
import type { NcnnLayer } from '../../../engine/convert/ncnn-param.ts';
import { parseNcnnParam } from '../../../engine/convert/ncnn-param.ts';
import { NcnnWeightReader, layerWeightSpecs, synthesizeNcnnBin } from '../../../engine/convert/ncnn-weights.ts';

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

const u32 = (v: number): Uint8Array => new Uint8Array(Uint32Array.from([v]).buffer);
const f32 = (values: readonly number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);

function convLayer(): NcnnLayer {
  const graph = parseNcnnParam(new TextEncoder().encode('7767517\n2 2\nInput in 0 1 in\nConvolution c 1 1 in out 0=2 1=1 5=1 6=3\n'));
  return graph.layers[1] as NcnnLayer;
}

describe('NcnnWeightReader', () => {
  it('derives weight sizes from the layer params: tagged weight, raw bias', () => {
    expect(layerWeightSpecs(convLayer())).toEqual([
      { name: 'weight', count: 3, tagged: true },
      { name: 'bias', count: 2, tagged: false },
    ]);
  });

  it('reads a float32-tagged weight and a raw bias', () => {
    const layer = convLayer();
    const reader = new NcnnWeightReader(concatBytes([u32(0), f32([1, 2, 3]), f32([4, 5])]));
    const [weight, bias] = layerWeightSpecs(layer).map((spec) => reader.read(spec, layer));
    expect(Array.from(weight as Float32Array)).toEqual([1, 2, 3]);
    expect(Array.from(bias as Float32Array)).toEqual([4, 5]);
    expect(reader.remaining()).toBe(0);
  });

  it('reads float16 weights and skips their padding to 4 bytes', () => {
    const layer = convLayer();
    // 1.0, -2.0, 0.5 as IEEE half, then 2 bytes of padding.
    const half = new Uint8Array(Uint16Array.from([0x3c00, 0xc000, 0x3800, 0]).buffer);
    const reader = new NcnnWeightReader(concatBytes([u32(0x01306b47), half, f32([7, 8])]));
    const [weight, bias] = layerWeightSpecs(layer).map((spec) => reader.read(spec, layer));
    expect(Array.from(weight as Float32Array)).toEqual([1, -2, 0.5]);
    expect(Array.from(bias as Float32Array)).toEqual([7, 8]);
  });

  it('reads lookup-table quantized weights', () => {
    const layer = convLayer();
    const table = Array.from({ length: 256 }, (_, i) => i / 2);
    const reader = new NcnnWeightReader(concatBytes([u32(0x00000101), f32(table), Uint8Array.from([2, 4, 6, 0]), f32([0, 0])]));
    expect(Array.from(reader.read({ name: 'weight', count: 3, tagged: true }, layer))).toEqual([1, 2, 3]);
  });

  it('refuses int8 weights with an error that names the layer', () => {
    const layer = convLayer();
    const reader = new NcnnWeightReader(concatBytes([u32(0x000d4b38), new Uint8Array(4)]));
    expect(() => reader.read({ name: 'weight', count: 3, tagged: true }, layer)).toThrow(InvalidArgumentError);
    expect(() => new NcnnWeightReader(concatBytes([u32(0x000d4b38), new Uint8Array(4)])).read({ name: 'weight', count: 3, tagged: true }, layer))
      .toThrow(/layer c .*int8-quantized/);
  });

  it('says the .bin is too short and probably belongs to another .param', () => {
    const layer = convLayer();
    const reader = new NcnnWeightReader(concatBytes([u32(0), f32([1])]));
    expect(() => reader.read({ name: 'weight', count: 3, tagged: true }, layer)).toThrow(/too short.*another \.param/);
  });

  it('synthesizes a .bin that holds exactly what the param reads', () => {
    const graph = parseNcnnParam(new TextEncoder().encode('7767517\n3 3\nInput in 0 1 in\nConvolution c 1 1 in a 0=2 1=1 5=1 6=6\nPReLU p 1 1 a b 0=2\n'));
    const bin = synthesizeNcnnBin(graph);
    const reader = new NcnnWeightReader(bin);
    for (const layer of graph.layers) for (const spec of layerWeightSpecs(layer)) reader.read(spec, layer);
    expect(reader.remaining()).toBe(0);
  });
});
