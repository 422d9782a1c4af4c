// Compares what an ONNX graph declares with what its manifest promises:
// tensor names, element types, ranks and fixed dimensions. A manifest may be
// stricter than the graph (a fixed 3 where the graph leaves channels free),
// never looser (a free "batch" where the graph fixes 1), because the tasks
// feed whatever the manifest allows. Symbolic names are the manifest's own
// vocabulary and are not compared.
import type { ModelManifest, TensorSpec } from '../../common/model-manifest.ts';
import type { GraphDim, GraphIo, GraphTensor } from '../onnx/onnx-graph-io.ts';

function describeDim(dim: GraphDim): string {
  return typeof dim === 'number' ? String(dim) : dim.symbol ? `free "${dim.symbol}"` : 'free';
}

function compareTensor(kind: 'input' | 'output', spec: TensorSpec, tensor: GraphTensor): string[] {
  const problems: string[] = [];
  const label = `${kind} "${spec.name}"`;
  if (tensor.elementType !== spec.dtype) {
    problems.push(`${label} dtype is ${tensor.elementType} in the file, ${spec.dtype} in the manifest`);
  }
  if (tensor.shape === null) return problems;
  if (tensor.shape.length !== spec.shape.length) {
    problems.push(`${label} has rank ${tensor.shape.length} in the file, ${spec.shape.length} in the manifest`);
    return problems;
  }
  tensor.shape.forEach((dim, axis) => {
    const promised = spec.shape[axis]!;
    if (typeof dim === 'number' && dim !== promised) {
      const said = typeof promised === 'number' ? String(promised) : `free "${promised}"`;
      problems.push(`${label} shape[${axis}] is ${describeDim(dim)} in the file, ${said} in the manifest`);
    }
  });
  return problems;
}

function compareSide(kind: 'input' | 'output', specs: readonly TensorSpec[], tensors: readonly GraphTensor[]): string[] {
  const problems: string[] = [];
  const byName = new Map(tensors.map((tensor) => [tensor.name, tensor]));
  const fileNames = tensors.map((tensor) => `"${tensor.name}"`).join(', ') || 'none';
  for (const spec of specs) {
    const tensor = byName.get(spec.name);
    if (!tensor) {
      problems.push(`${kind} "${spec.name}" is missing from the file (its ${kind}s: ${fileNames})`);
      continue;
    }
    problems.push(...compareTensor(kind, spec, tensor));
  }
  const promised = new Set(specs.map((spec) => spec.name));
  for (const tensor of tensors) {
    if (!promised.has(tensor.name)) {
      problems.push(`the file has an ${kind} "${tensor.name}" that the manifest does not list`);
    }
  }
  return problems;
}

/** Every difference between the graph and the manifest, in words; empty when they agree. */
export function compareGraphToManifest(manifest: Pick<ModelManifest, 'inputs' | 'outputs'>, graph: GraphIo): string[] {
  return [...compareSide('input', manifest.inputs, graph.inputs), ...compareSide('output', manifest.outputs, graph.outputs)];
}
