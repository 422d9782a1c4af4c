// Builds the tensor part of a manifest from an ONNX graph: names and element
// types as the file declares them, free dimensions named in the manifests'
// vocabulary (batch, height, width, height*scale), and a role for each tensor
// from its name (the converter's names, the ready models' names) or, for a
// single image input, from its position.
import { InvalidArgumentError } from '../../common/errors.ts';
import type { ModelTask, TensorSpec } from '../../common/model-manifest.ts';
import type { GraphDim, GraphIo, GraphTensor } from '../onnx/onnx-graph-io.ts';

type Role = TensorSpec['role'];

const ROLE_BY_NAME: Readonly<Record<string, Role>> = {
  img0: 'image0',
  img1: 'image1',
  timestep: 'timestep',
  content: 'content',
  style: 'style',
  alpha: 'alpha',
};

function dtypeOf(tensor: GraphTensor, modelLabel: string): TensorSpec['dtype'] {
  if (tensor.elementType === 'float32' || tensor.elementType === 'float16') return tensor.elementType;
  throw new InvalidArgumentError(`${modelLabel}: tensor "${tensor.name}" is ${tensor.elementType}; only float32 and float16 image models are supported.`);
}

function shapeOf(tensor: GraphTensor, output: boolean, scale: number): TensorSpec['shape'] {
  const shape: readonly GraphDim[] = tensor.shape ?? [{ symbol: null }, 3, { symbol: null }, { symbol: null }];
  return shape.map((dim, axis) => {
    if (typeof dim === 'number' && dim > 0) return dim;
    if (axis === 0) return 'batch';
    if (shape.length === 4 && axis === 2) return output && scale !== 1 ? `height*${scale}` : 'height';
    if (shape.length === 4 && axis === 3) return output && scale !== 1 ? `width*${scale}` : 'width';
    return typeof dim === 'object' && dim.symbol ? dim.symbol : `dim${axis}`;
  });
}

function inputRole(tensor: GraphTensor, index: number, count: number, task: ModelTask): Role {
  const named = ROLE_BY_NAME[tensor.name];
  if (named) return named;
  if (count === 1) return 'image';
  if (task === 'interpolation' && count === 3) return (['image0', 'image1', 'timestep'] as const)[index]!;
  if (task === 'style-arbitrary' && count === 3) return (['content', 'style', 'alpha'] as const)[index]!;
  throw new InvalidArgumentError(`Cannot tell what input "${tensor.name}" (${index + 1} of ${count}) carries. Models with one image input, RIFE-style img0/img1/timestep or content/style/alpha are supported.`);
}

/** Inputs and outputs of a manifest for `graph`; `scale` names the output dimensions. */
export function tensorSpecsFromGraph(graph: GraphIo, task: ModelTask, scale: number, modelLabel: string): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  if (graph.inputs.length === 0 || graph.outputs.length === 0) throw new InvalidArgumentError(`${modelLabel} has no graph inputs or outputs.`);
  const inputs = graph.inputs.map((tensor, index) => ({
    name: tensor.name,
    dtype: dtypeOf(tensor, modelLabel),
    shape: shapeOf(tensor, false, 1),
    role: inputRole(tensor, index, graph.inputs.length, task),
  }));
  const outputs = graph.outputs.map((tensor) => ({
    name: tensor.name,
    dtype: dtypeOf(tensor, modelLabel),
    shape: shapeOf(tensor, true, scale),
    role: 'output' as const,
  }));
  return { inputs, outputs };
}
