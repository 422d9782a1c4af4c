import { describe, expect, it } from 'vitest';
import type { TensorSpec } from '../../../common/model-manifest.ts';
import { compareGraphToManifest } from '../../../engine/models/manifest-check.ts';
import type { GraphIo } from '../../../engine/onnx/onnx-graph-io.ts';

const graph: GraphIo = {
  inputs: [{ name: 'input', elementType: 'float16', shape: [{ symbol: 'batch_size' }, 3, { symbol: 'height' }, { symbol: 'width' }] }],
  outputs: [{ name: 'output', elementType: 'float16', shape: [1, { symbol: null }, { symbol: 'h' }, { symbol: 'w' }] }],
};

function spec(overrides: Partial<TensorSpec> = {}): TensorSpec {
  return { name: 'input', dtype: 'float16', shape: ['batch', 3, 'height', 'width'], role: 'image', ...overrides };
}

const output = (overrides: Partial<TensorSpec> = {}): TensorSpec =>
  spec({ name: 'output', shape: [1, 3, 'height*4', 'width*4'], role: 'output', ...overrides });

describe('compareGraphToManifest', () => {
  it('accepts a manifest that agrees, including one stricter than the graph', () => {
    expect(compareGraphToManifest({ inputs: [spec()], outputs: [output()] }, graph)).toEqual([]);
    expect(compareGraphToManifest({ inputs: [spec({ shape: [1, 3, 64, 'width'] })], outputs: [output()] }, graph)).toEqual([]);
  });

  it('names a wrong input name, listing what the file has', () => {
    expect(compareGraphToManifest({ inputs: [spec({ name: 'input1' })], outputs: [output()] }, graph)).toEqual([
      'input "input1" is missing from the file (its inputs: "input")',
      'the file has an input "input" that the manifest does not list',
    ]);
  });

  it('names a wrong dtype', () => {
    expect(compareGraphToManifest({ inputs: [spec({ dtype: 'float32' })], outputs: [output()] }, graph)).toEqual([
      'input "input" dtype is float16 in the file, float32 in the manifest',
    ]);
  });

  it('names a wrong rank and a fixed dimension the manifest leaves free or sets otherwise', () => {
    expect(compareGraphToManifest({ inputs: [spec({ shape: [3, 'height', 'width'] })], outputs: [output({ shape: ['batch', 3, 'h', 'w'] })] }, graph)).toEqual([
      'input "input" has rank 4 in the file, 3 in the manifest',
      'output "output" shape[0] is 1 in the file, free "batch" in the manifest',
    ]);
    expect(compareGraphToManifest({ inputs: [spec()], outputs: [output({ shape: [2, 3, 'h', 'w'] })] }, graph)).toEqual([
      'output "output" shape[0] is 1 in the file, 2 in the manifest',
    ]);
  });

  it('names an output the manifest lists but the file lacks', () => {
    const problems = compareGraphToManifest({ inputs: [spec()], outputs: [output(), output({ name: 'flow' })] }, graph);
    expect(problems).toEqual(['output "flow" is missing from the file (its outputs: "output")']);
  });
});
