// readGraphIo on hand-built models written to disk: real inputs (initializers
// listed as inputs left out), outputs, element types, fixed, named and free
// dimensions, weights far larger than the read window skipped by length, and
// typed refusals of files that are not ONNX or are cut short.
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../common/errors.ts';
import { ELEMENT_TYPE, encodeModel, onnx } from '../../../engine/onnx/onnx-file.ts';
import { OnnxGraphReadError, readGraphIo } from '../../../engine/onnx/onnx-graph-io.ts';

type Dim = number | string | null;

function value(name: string, elemType: number, dims: Dim[] | null): onnxProto.onnx.ValueInfoProto {
  const shape = dims === null ? undefined : { dim: dims.map((dim) => (typeof dim === 'string' ? { dimParam: dim } : dim === null ? {} : { dimValue: dim })) };
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, ...(shape ? { shape } : {}) } } });
}

/** y = x * w + b with w a 4M-float initializer (16 MB) that old exporters also list as an input. */
function sampleModel(): Uint8Array {
  const weights = 4 * 1024 * 1024;
  return encodeModel(onnx.ModelProto.create({
    irVersion: 3,
    opsetImport: [{ domain: '', version: 9 }],
    graph: {
      name: 'g',
      node: [onnx.NodeProto.create({ opType: 'Mul', input: ['x', 'w'], output: ['xw'] }), onnx.NodeProto.create({ opType: 'Add', input: ['xw', 'b'], output: ['y'] })],
      input: [value('x', ELEMENT_TYPE.FLOAT16, ['batch', 3, null, 64]), value('w', ELEMENT_TYPE.FLOAT, [weights])],
      output: [value('y', ELEMENT_TYPE.FLOAT16, null), value('mask', 21, [1])],
      initializer: [onnx.TensorProto.create({ name: 'w', dataType: ELEMENT_TYPE.FLOAT, dims: [weights], rawData: new Uint8Array(weights * 4) })],
    },
  }));
}

describe('readGraphIo', () => {
  let dir = '';
  let file = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'framesmith-graph-io-'));
    file = path.join(dir, 'sample.onnx');
    await writeFile(file, sampleModel());
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the real inputs and the outputs with element types and dimensions', async () => {
    expect(await readGraphIo(file)).toEqual({
      inputs: [{ name: 'x', elementType: 'float16', shape: [{ symbol: 'batch' }, 3, { symbol: null }, 64] }],
      outputs: [
        { name: 'y', elementType: 'float16', shape: null },
        { name: 'mask', elementType: 'type21', shape: [1] },
      ],
    });
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(readGraphIo(file, { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
  });

  it('refuses a file that is not ONNX, and one cut short inside its weights', async () => {
    const text = path.join(dir, 'text.onnx');
    await writeFile(text, 'this is not a protobuf message at all');
    await expect(readGraphIo(text)).rejects.toBeInstanceOf(OnnxGraphReadError);
    const cut = path.join(dir, 'cut.onnx');
    await writeFile(cut, sampleModel());
    await truncate(cut, 1024 * 1024);
    await expect(readGraphIo(cut)).rejects.toThrow(/not a readable ONNX model/);
  });
});
