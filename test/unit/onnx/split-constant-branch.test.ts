// splitConstantBranch on small hand-built graphs: which nodes go where
// (static nodes into both parts, pass-through inputs, dead nodes dropped),
// which initializers each part carries, the boundary types it infers, and the
// typed refusals. The split is checked by running both parts in onnxruntime.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type onnxProto from 'onnx-proto';
import { ELEMENT_TYPE, encodeModel, onnx, type ModelProto } from '../../../engine/onnx/onnx-file.ts';
import { GraphSplitError, splitConstantBranch } from '../../../engine/onnx/split-constant-branch.ts';

const FLOAT = ELEMENT_TYPE.FLOAT;

function value(name: string, elemType = FLOAT, dims: number[] = [1, 4]): onnxProto.onnx.ValueInfoProto {
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } } });
}

function node(opType: string, input: string[], output: string[], domain?: string): onnxProto.onnx.NodeProto {
  return onnx.NodeProto.create({ opType, input, output, name: output[0], ...(domain ? { domain } : {}) });
}

function floats(name: string, data: number[], dims = [1, data.length]): onnxProto.onnx.TensorProto {
  return onnx.TensorProto.create({ name, dataType: FLOAT, dims, floatData: data });
}

function constantNode(output: string, data: number[]): onnxProto.onnx.NodeProto {
  return onnx.NodeProto.create({ opType: 'Constant', output: [output], name: output, attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: floats('', data) }] });
}

function model(nodes: onnxProto.onnx.NodeProto[], inputs: onnxProto.onnx.ValueInfoProto[], outputs: onnxProto.onnx.ValueInfoProto[], initializer: onnxProto.onnx.TensorProto[] = []): ModelProto {
  return onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'g', node: nodes, input: inputs, output: outputs, initializer },
  });
}

/**
 * y = (x * alpha + relu(s * w) * k) + c, with k a Constant used by both parts,
 * w an initializer of the prelude, c one of the per-frame part, and a dead
 * node on s.
 */
function sample(): ModelProto {
  return model(
    [
      constantNode('k', [2, 2, 2, 2]),
      node('Mul', ['s', 'w'], ['sw']),
      node('Relu', ['sw'], ['feature']),
      node('Neg', ['s'], ['dead']),
      node('Mul', ['feature', 'k'], ['scaled']),
      node('Mul', ['x', 'alpha'], ['xa']),
      node('Add', ['xa', 'scaled'], ['sum']),
      node('Add', ['sum', 'c'], ['y']),
      node('Mul', ['k', 'c'], ['kc']),
      node('Add', ['y', 'kc'], ['z']),
    ],
    [value('x'), value('s'), value('alpha', FLOAT, [1, 1])],
    [value('z')],
    [floats('w', [1, -1, 2, -2]), floats('c', [0.5, 0.5, 0.5, 0.5])],
  );
}

describe('splitConstantBranch', () => {
  it('puts constant nodes in the prelude, keeps static nodes where used and passes alpha through', () => {
    const split = splitConstantBranch(sample(), ['s', 'alpha']);
    const outputsOf = (part: ModelProto) => (part.graph?.node ?? []).map((entry) => entry.output?.[0]);
    expect(outputsOf(split.prelude)).toEqual(['k', 'sw', 'feature', 'scaled']);
    expect(outputsOf(split.perFrame)).toEqual(['k', 'xa', 'sum', 'y', 'kc', 'z']);
    expect(split.boundary).toEqual([{ name: 'scaled', elementTypeCode: FLOAT }]);
    expect(split.preludeInputs).toEqual(['s']);
    expect(split.passThrough).toEqual(['alpha']);
    expect(split.perFrame.graph?.input?.map((entry) => entry.name)).toEqual(['x', 'alpha', 'scaled']);
    expect(split.prelude.graph?.output?.map((entry) => entry.name)).toEqual(['scaled']);
    expect(split.prelude.graph?.initializer?.map((tensor) => tensor.name)).toEqual(['w']);
    expect(split.perFrame.graph?.initializer?.map((tensor) => tensor.name)).toEqual(['c']);
    expect(split.prelude.opsetImport?.[0]?.version).toBe(13);
    expect([split.preludeNodeCount, split.perFrameNodeCount]).toEqual([4, 6]);
  });

  it('the two parts compute what the whole graph does', async () => {
    const whole = sample();
    const split = splitConstantBranch(whole, ['s', 'alpha']);
    const x = new ort.Tensor('float32', new Float32Array([1, 2, 3, 4]), [1, 4]);
    const s = new ort.Tensor('float32', new Float32Array([0.5, 0.25, -1, 3]), [1, 4]);
    const alpha = new ort.Tensor('float32', new Float32Array([0.7]), [1, 1]);
    const reference = await (await ort.InferenceSession.create(encodeModel(whole))).run({ x, s, alpha });
    const prelude = await (await ort.InferenceSession.create(encodeModel(split.prelude))).run({ s });
    const perFrame = await (await ort.InferenceSession.create(encodeModel(split.perFrame))).run({ x, alpha, scaled: prelude.scaled });
    expect(Array.from(perFrame.z.data as Float32Array)).toEqual(Array.from(reference.z.data as Float32Array));
  });

  it('infers boundary types through Cast, Shape and comparisons, and prefers value_info', () => {
    const graph = model(
      [
        node('Cast', ['s'], ['half']),
        node('Shape', ['s'], ['shape']),
        node('Greater', ['s', 'x0'], ['mask']),
        node('Abs', ['half'], ['absHalf']),
        node('Add', ['x', 'x'], ['xx']),
        node('Sum', ['xx', 'absHalf'], ['y']),
        node('Reshape', ['xx', 'shape'], ['r']),
        node('Where', ['mask', 'r', 'y'], ['out']),
      ],
      [value('x'), value('s')],
      [value('out')],
      [floats('x0', [0, 0, 0, 0])],
    );
    const cast = graph.graph?.node?.[0] as onnxProto.onnx.NodeProto;
    cast.attribute = [onnx.AttributeProto.create({ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: ELEMENT_TYPE.DOUBLE })];
    const types = Object.fromEntries(splitConstantBranch(graph, ['s']).boundary.map((tensor) => [tensor.name, tensor.elementTypeCode]));
    expect(types).toEqual({ absHalf: ELEMENT_TYPE.DOUBLE, shape: ELEMENT_TYPE.INT64, mask: ELEMENT_TYPE.BOOL });
    (graph.graph as onnxProto.onnx.GraphProto).valueInfo = [value('absHalf', ELEMENT_TYPE.FLOAT16)];
    const typed = splitConstantBranch(graph, ['s']);
    expect(typed.boundary.find((tensor) => tensor.name === 'absHalf')?.elementTypeCode).toBe(ELEMENT_TYPE.FLOAT16);
    expect(typed.perFrame.graph?.input?.find((entry) => entry.name === 'absHalf')?.type?.tensorType?.shape?.dim?.length).toBe(2);
  });

  it('refuses what it cannot split, with GraphSplitError', () => {
    const refuse = (graph: ModelProto, names: string[], problem: RegExp) => {
      let thrown: unknown;
      try {
        splitConstantBranch(graph, names);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(GraphSplitError);
      expect((thrown as GraphSplitError).code).toBe('NOT_SUPPORTED');
      expect((thrown as Error).message).toMatch(problem);
    };
    refuse(sample(), ['style'], /"style" is not an input of the graph \(inputs: x, s, alpha\)/);
    refuse(sample(), ['x', 's', 'alpha'], /every input is constant/);
    refuse(model([node('Add', ['x', 's'], ['y'])], [value('x'), value('s')], [value('y')]), ['s'], /nothing to run once per job/);
    refuse(model([node('Relu', ['s'], ['t']), node('Add', ['x', 't'], ['y'])], [value('x'), value('s')], [value('y'), value('t')]), ['s'], /output "t" depends on the constant inputs alone/);
    refuse(
      model([node('Mystery', ['s'], ['t'], 'com.example'), node('Add', ['x', 't'], ['y'])], [value('x'), value('s')], [value('y')]),
      ['s'],
      /element type of "t" \(from Mystery\) is not known/,
    );
  });
});
