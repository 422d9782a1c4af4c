import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../common/errors.ts';
import { parseNcnnParam } from '../../../engine/convert/ncnn-param.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const TEXT = [
  '7767517',
  '3 4',
  'Input            data     0 1 data',
  'Convolution      conv0    1 1 data c0 0=8 1=3 4=1 5=1 6=216 9=2 -23310=1,2.000000e-01',
  'Crop             crop0    1 1 c0 out -23309=1,0 -23310=1,-233 -23311=1,0',
  '',
].join('\r\n');

function int32Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(Int32Array.from(values).buffer);
}

function floatBits(value: number): number {
  return new Int32Array(Float32Array.from([value]).buffer)[0] as number;
}

describe('parseNcnnParam (text)', () => {
  it('reads layers, blobs, scalar and array params, with CRLF line endings', () => {
    const graph = parseNcnnParam(new TextEncoder().encode(TEXT));
    expect(graph.format).toBe('text');
    expect(graph.blobCount).toBe(4);
    expect(graph.layers.map((l) => l.type)).toEqual(['Input', 'Convolution', 'Crop']);
    const conv = graph.layers[1];
    expect(conv?.inputs).toEqual(['data']);
    expect(conv?.outputs).toEqual(['c0']);
    expect(conv?.line).toBe(4);
    expect(conv?.params.int(0, 0)).toBe(8);
    expect(conv?.params.int(11, conv.params.int(1, 0))).toBe(3);
    expect(conv?.params.floats(10)).toEqual([0.2]);
    expect(conv?.params.float(10, 0)).toBe(0);
    expect(graph.layers[2]?.params.ints(10)).toEqual([-233]);
  });

  it('refuses a file without the magic number', () => {
    expect(() => parseNcnnParam(new TextEncoder().encode('123\n1 1\nInput a 0 1 a\n'))).toThrow(InvalidArgumentError);
  });

  it('refuses a file that declares more layers than it holds', () => {
    expect(() => parseNcnnParam(new TextEncoder().encode('7767517\n3 3\nInput a 0 1 a\n'))).toThrow(/declares 3 layers but holds 1/);
  });
});

describe('parseNcnnParam (binary)', () => {
  it('reads type indices, blob indices and raw 32-bit params (float read by bits)', () => {
    const bytes = int32Bytes([
      7767517, 2, 2,
      16, 0, 1, 0, -233, // Input -> blob0
      26, 1, 1, 0, 1, 0, floatBits(0.1), -233, // ReLU slope 0.1
    ]);
    const graph = parseNcnnParam(bytes);
    expect(graph.format).toBe('binary');
    expect(graph.layers.map((l) => l.type)).toEqual(['Input', 'ReLU']);
    expect(graph.layers[1]?.inputs).toEqual(['blob0']);
    expect(graph.layers[1]?.outputs).toEqual(['blob1']);
    expect(graph.layers[1]?.params.float(0, 0)).toBeCloseTo(0.1, 7);
  });

  it('refuses a truncated binary param', () => {
    expect(() => parseNcnnParam(int32Bytes([7767517, 1, 1, 16, 0]))).toThrow(/ends in the middle/);
  });

  const styleParam = modelAsset('ncnn/style-fast/styletransfer.param.bin');
  it.skipIf(!styleParam)('reads the fast-style styletransfer.param.bin with the layer counts of its census', async () => {
    const graph = parseNcnnParam(await readFile(styleParam as string));
    expect(graph.layers).toHaveLength(70);
    expect(graph.blobCount).toBe(75);
    const counts: Record<string, number> = {};
    for (const layer of graph.layers) counts[layer.type] = (counts[layer.type] ?? 0) + 1;
    expect(counts).toEqual({ BinaryOp: 5, Convolution: 16, Input: 1, InstanceNorm: 15, Interp: 2, Padding: 16, ReLU: 10, Split: 5 });
    const padding = graph.layers.find((l) => l.type === 'Padding');
    expect([0, 1, 2, 3, 4].map((id) => padding?.params.int(id, 0))).toEqual([4, 4, 4, 4, 2]);
    const norm = graph.layers.find((l) => l.type === 'InstanceNorm');
    expect(norm?.params.float(1, 0)).toBeCloseTo(1e-5, 9);
  });
});
