// Splits an ONNX graph at the inputs that stay constant for a whole job (the
// style image and alpha of an arbitrary-style model): a prelude, run once per
// job, computes everything that depends only on those inputs; a per-frame
// model takes the remaining inputs plus the prelude's results. MicroAST's
// style encoder is most of its cost at the default style size, and without
// the split it ran again for every frame.
//
// Node kinds, in the graph's (topological) order: a node is varying when any
// input comes from a varying graph input or a varying node, constant when it
// is not varying and some input comes from a constant input or constant node,
// and static otherwise (initializers and Constant nodes only). Static nodes
// go wherever they are needed, in both parts if both use them, so the
// per-frame model keeps what onnxruntime folds. Boundary tensors are outputs
// of constant nodes read by varying nodes; constant graph inputs read directly
// by varying nodes stay inputs of the per-frame model ("pass-through").
//
// Element types of boundary tensors come from value_info where the graph has
// it; otherwise they are inferred forward from the graph inputs, initializers
// and Constant attributes through a fixed table of operators (elementwise and
// layout operators keep their first data input's type, Shape gives int64,
// comparisons bool, Cast its `to`). Anything outside the table is unknown,
// and an unknown boundary type is refused (GraphSplitError) rather than guessed.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type onnxProto from 'onnx-proto';
import { NotSupportedError, throwIfCancelled } from '../../common/errors.ts';
import { ELEMENT_TYPE, encodeModel, onnx, readModelFile, writeFileAtomic } from './onnx-file.ts';
import type { GraphProto, ModelProto, ValueInfoProto } from './onnx-file.ts';
import { sha256OfFile } from './fp16-to-fp32.ts';
import { exists } from '../base/exists.ts';

/** Bump when the split changes, so old cache entries are not reused. */
const SPLITTER_VERSION = 1;

type NodeProto = onnxProto.onnx.INodeProto;

/** The graph cannot be split as asked (nothing to hoist, an output that needs no per-frame input, a type that cannot be known). */
export class GraphSplitError extends NotSupportedError {
  constructor(problem: string) {
    super(`Cannot split the model at its per-job inputs: ${problem}.`);
  }
}

export interface BoundaryTensor {
  name: string;
  /** ONNX TensorProto.DataType code. */
  elementTypeCode: number;
}

export interface ConstantBranchSplit {
  /** Inputs: the constant inputs it reads (`preludeInputs`); outputs: the boundary tensors. */
  prelude: ModelProto;
  /** Inputs: the varying inputs, then `passThrough`, then the boundary tensors; outputs: the source's outputs. */
  perFrame: ModelProto;
  preludeInputs: string[];
  boundary: BoundaryTensor[];
  /** Constant inputs the per-frame model reads directly as well (feed them every run). */
  passThrough: string[];
  preludeNodeCount: number;
  perFrameNodeCount: number;
}

type Kind = 'varying' | 'constant' | 'static';

/** Inputs a node reads, including outer-scope names read inside its subgraphs. */
function nodeInputs(node: NodeProto): string[] {
  const names = (node.input ?? []).filter((name) => name !== '');
  for (const attribute of node.attribute ?? []) {
    for (const graph of [attribute.g, ...(attribute.graphs ?? [])]) if (graph) names.push(...outerReferences(graph));
  }
  return names;
}

function outerReferences(graph: GraphProto): string[] {
  const defined = new Set<string>([...(graph.input ?? []).map((value) => value.name ?? ''), ...(graph.initializer ?? []).map((tensor) => tensor.name ?? '')]);
  const outer: string[] = [];
  for (const node of graph.node ?? []) {
    for (const name of nodeInputs(node)) if (!defined.has(name)) outer.push(name);
    for (const name of node.output ?? []) defined.add(name);
  }
  for (const value of graph.output ?? []) if (value.name && !defined.has(value.name)) outer.push(value.name);
  return outer;
}

const SAME_AS_FIRST_INPUT = new Set([
  'Abs', 'Add', 'AveragePool', 'BatchNormalization', 'Ceil', 'Clip', 'Concat', 'Conv', 'ConvTranspose', 'DepthToSpace', 'Div', 'Dropout',
  'Elu', 'Erf', 'Exp', 'Expand', 'Flatten', 'Floor', 'Gather', 'GatherElements', 'Gemm', 'GlobalAveragePool', 'GlobalMaxPool', 'HardSigmoid',
  'Identity', 'InstanceNormalization', 'LayerNormalization', 'LeakyRelu', 'Log', 'MatMul', 'Max', 'MaxPool', 'Mean', 'Min', 'Mod', 'Mul', 'Neg',
  'Pad', 'Pow', 'PRelu', 'Reciprocal', 'ReduceL2', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSum', 'Relu', 'Reshape', 'Resize',
  'Round', 'Selu', 'Sigmoid', 'Sign', 'Slice', 'Softmax', 'Softplus', 'SpaceToDepth', 'Split', 'Sqrt', 'Squeeze', 'Sub', 'Sum', 'Tanh', 'Tile',
  'Transpose', 'Unsqueeze', 'Upsample',
]);
const INT64_RESULT = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin']);
const BOOL_RESULT = new Set(['Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);

function attributeTensorType(node: NodeProto): number | undefined {
  for (const attribute of node.attribute ?? []) {
    if (attribute.name === 'value' && attribute.t) return attribute.t.dataType ?? undefined;
    if (attribute.name === 'value_float' || attribute.name === 'value_floats') return ELEMENT_TYPE.FLOAT;
    if (attribute.name === 'value_int' || attribute.name === 'value_ints') return ELEMENT_TYPE.INT64;
  }
  return undefined;
}

/** The element type of a node's first output by the table above; undefined when not known. */
function inferOutputType(node: NodeProto, typeOf: (name: string) => number | undefined): number | undefined {
  const op = node.opType ?? '';
  if (node.domain && node.domain !== 'ai.onnx') return undefined;
  if (SAME_AS_FIRST_INPUT.has(op)) return typeOf(node.input?.[0] ?? '');
  if (op === 'Where') return typeOf(node.input?.[1] ?? '');
  if (INT64_RESULT.has(op)) return ELEMENT_TYPE.INT64;
  if (BOOL_RESULT.has(op)) return ELEMENT_TYPE.BOOL;
  if (op === 'Cast') {
    const to = (node.attribute ?? []).find((attribute) => attribute.name === 'to');
    return to ? Number(to.i) : undefined;
  }
  if (op === 'Constant') return attributeTensorType(node);
  if (op === 'ConstantOfShape') return attributeTensorType(node) ?? ELEMENT_TYPE.FLOAT;
  return undefined;
}

/** Types of the tensors named in value_info, inputs, outputs and initializers, then inferred forward. */
function elementTypes(graph: GraphProto): Map<string, number> {
  const types = new Map<string, number>();
  const known = (value: ValueInfoProto): void => {
    const code = value.type?.tensorType?.elemType;
    if (value.name && code) types.set(value.name, code);
  };
  for (const value of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) known(value);
  for (const tensor of graph.initializer ?? []) if (tensor.name && tensor.dataType) types.set(tensor.name, tensor.dataType);
  for (const node of graph.node ?? []) {
    const first = node.output?.[0];
    if (!first || types.has(first)) continue;
    const code = inferOutputType(node, (name) => types.get(name));
    if (code) types.set(first, code);
    // Split's other outputs share its input's type; other multi-output operators are left unknown.
    if (code && node.opType === 'Split') for (const name of node.output ?? []) types.set(name, code);
  }
  return types;
}

function tensorValue(name: string, elementTypeCode: number, shapeFrom?: ValueInfoProto): ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: elementTypeCode, ...(shapeFrom?.type?.tensorType?.shape ? { shape: shapeFrom.type.tensorType.shape } : {}) } },
  });
}

/** Nodes (in graph order) needed to compute `targets`, stopping at names in `stops`. */
function backwardClosure(nodes: readonly NodeProto[], producer: ReadonlyMap<string, number>, targets: Iterable<string>, stops: ReadonlySet<string>): NodeProto[] {
  const needed = new Set<number>();
  const queue = [...targets];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (stops.has(name)) continue;
    const index = producer.get(name);
    if (index === undefined || needed.has(index)) continue;
    needed.add(index);
    queue.push(...nodeInputs(nodes[index]));
  }
  return nodes.filter((_, index) => needed.has(index));
}

function partModel(source: ModelProto, graph: GraphProto, suffix: string, nodes: NodeProto[], inputs: ValueInfoProto[], outputs: ValueInfoProto[]): ModelProto {
  const read = new Set(nodes.flatMap(nodeInputs));
  const internal = new Set(nodes.flatMap((node) => node.output ?? []));
  return onnx.ModelProto.create({
    irVersion: source.irVersion,
    opsetImport: source.opsetImport,
    producerName: source.producerName,
    producerVersion: source.producerVersion,
    domain: source.domain,
    modelVersion: source.modelVersion,
    functions: source.functions,
    graph: onnx.GraphProto.create({
      name: `${graph.name ?? 'graph'}_${suffix}`,
      node: nodes,
      input: inputs,
      output: outputs,
      initializer: (graph.initializer ?? []).filter((tensor) => read.has(tensor.name ?? '')),
      valueInfo: (graph.valueInfo ?? []).filter((value) => internal.has(value.name ?? '')),
    }),
  });
}

/**
 * Splits `model` into a prelude over `constantInputs` and a per-frame model
 * (see the header). The parts share node and tensor objects with `model`:
 * encode them, do not mutate them. GraphSplitError when a name is not an
 * input, nothing depends on the constant inputs, an output depends on them
 * alone, or a boundary tensor's type cannot be known.
 */
export function splitConstantBranch(model: ModelProto, constantInputs: readonly string[]): ConstantBranchSplit {
  const graph = model.graph;
  if (!graph) throw new GraphSplitError('the file has no graph');
  const nodes = graph.node ?? [];
  const initializerNames = new Set((graph.initializer ?? []).map((tensor) => tensor.name ?? ''));
  const realInputs = (graph.input ?? []).filter((value) => !initializerNames.has(value.name ?? ''));
  const inputNames = realInputs.map((value) => value.name ?? '');
  const constant = new Set(constantInputs);
  for (const name of constant) {
    if (!inputNames.includes(name)) throw new GraphSplitError(`"${name}" is not an input of the graph (inputs: ${inputNames.join(', ')})`);
  }
  if (inputNames.every((name) => constant.has(name))) throw new GraphSplitError('every input is constant, so nothing would run per frame');

  const kind = new Map<string, Kind>();
  for (const name of inputNames) kind.set(name, constant.has(name) ? 'constant' : 'varying');
  const producer = new Map<string, number>();
  const nodeKind: Kind[] = [];
  for (const [index, node] of nodes.entries()) {
    const kinds = nodeInputs(node).map((name) => kind.get(name) ?? 'static');
    const own: Kind = kinds.includes('varying') ? 'varying' : kinds.includes('constant') ? 'constant' : 'static';
    nodeKind.push(own);
    for (const name of node.output ?? []) {
      if (name === '') continue;
      kind.set(name, own);
      producer.set(name, index);
    }
  }

  const boundaryNames = new Set<string>();
  const passThroughNames = new Set<string>();
  for (const [index, node] of nodes.entries()) {
    if (nodeKind[index] !== 'varying') continue;
    for (const name of nodeInputs(node)) {
      if (kind.get(name) !== 'constant') continue;
      if (constant.has(name)) passThroughNames.add(name);
      else boundaryNames.add(name);
    }
  }
  for (const output of graph.output ?? []) {
    if (kind.get(output.name ?? '') === 'constant') throw new GraphSplitError(`the output "${output.name}" depends on the constant inputs alone`);
  }
  if (boundaryNames.size === 0) throw new GraphSplitError('no node depends on the constant inputs alone, so there is nothing to run once per job');

  const types = elementTypes(graph);
  const valueInfo = new Map((graph.valueInfo ?? []).map((value) => [value.name ?? '', value]));
  const boundary: BoundaryTensor[] = [...boundaryNames].map((name) => {
    const code = types.get(name);
    if (!code) throw new GraphSplitError(`the element type of "${name}" (from ${nodes[producer.get(name) as number].opType}) is not known`);
    return { name, elementTypeCode: code };
  });

  const preludeNodes = backwardClosure(nodes, producer, boundaryNames, new Set(inputNames));
  const preludeRead = new Set(preludeNodes.flatMap(nodeInputs));
  const preludeInputs = realInputs.filter((value) => constant.has(value.name ?? '') && preludeRead.has(value.name ?? ''));
  const boundaryValues = boundary.map((tensor) => tensorValue(tensor.name, tensor.elementTypeCode, valueInfo.get(tensor.name)));

  const outputs = graph.output ?? [];
  const perFrameNodes = backwardClosure(nodes, producer, outputs.map((value) => value.name ?? ''), new Set([...inputNames, ...boundaryNames]));
  const perFrameInputs = [
    ...realInputs.filter((value) => !constant.has(value.name ?? '')),
    ...realInputs.filter((value) => passThroughNames.has(value.name ?? '')),
    ...boundaryValues,
  ];

  return {
    prelude: partModel(model, graph, 'prelude', preludeNodes, preludeInputs, boundaryValues),
    perFrame: partModel(model, graph, 'per_frame', perFrameNodes, perFrameInputs, outputs),
    preludeInputs: preludeInputs.map((value) => value.name ?? ''),
    boundary,
    passThrough: realInputs.map((value) => value.name ?? '').filter((name) => passThroughNames.has(name)),
    preludeNodeCount: preludeNodes.length,
    perFrameNodeCount: perFrameNodes.length,
  };
}

/** What the cache keeps beside the two files, so a cache hit needs no parsing of the model. */
export interface SplitModelFiles {
  preludePath: string;
  perFramePath: string;
  preludeSha256: string;
  perFrameSha256: string;
  preludeSizeBytes: number;
  perFrameSizeBytes: number;
  preludeInputs: string[];
  boundary: BoundaryTensor[];
  passThrough: string[];
  preludeNodeCount: number;
  perFrameNodeCount: number;
}

export interface SplitCacheResult extends SplitModelFiles {
  /** True when this call split the model; false when the cache already held it. */
  created: boolean;
}

type SplitDescription = Omit<SplitModelFiles, 'preludePath' | 'perFramePath'>;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The cache stem of a split: source file name, source hash, constant input names (any order) and splitter version. */
export function splitCacheStem(sourcePath: string, sourceSha256: string, constantInputs: readonly string[], cacheDir: string): string {
  const stem = path.basename(sourcePath).replace(/\.onnx$/i, '');
  const names = createHash('sha256').update(JSON.stringify([...constantInputs].sort())).digest('hex').slice(0, 8);
  return path.join(cacheDir, `${stem}.${sourceSha256.slice(0, 16)}.${names}.v${SPLITTER_VERSION}`);
}

/**
 * The prelude and per-frame files of a model split at `constantInputs`, split
 * now or taken from the cache. Each file is written atomically and the JSON
 * description last, so a description under its final name means both models
 * are whole. Concurrent callers may both split; the bytes are equal.
 */
export async function ensureSplitModel(sourcePath: string, constantInputs: readonly string[], cacheDir: string, options: { signal?: AbortSignal } = {}): Promise<SplitCacheResult> {
  const stem = splitCacheStem(sourcePath, await sha256OfFile(sourcePath), constantInputs, cacheDir);
  const descriptionPath = `${stem}.split.json`;
  const preludePath = `${stem}.prelude.onnx`;
  const perFramePath = `${stem}.per-frame.onnx`;
  if (await exists(descriptionPath)) {
    const described = JSON.parse(await readFile(descriptionPath, 'utf8')) as SplitDescription;
    if (await exists(preludePath) && await exists(perFramePath)) return { ...described, preludePath, perFramePath, created: false };
  }
  throwIfCancelled(options.signal);
  const split = splitConstantBranch(await readModelFile(sourcePath), constantInputs);
  throwIfCancelled(options.signal);
  await mkdir(cacheDir, { recursive: true });
  const preludeBytes = encodeModel(split.prelude);
  const perFrameBytes = encodeModel(split.perFrame);
  await writeFileAtomic(preludePath, preludeBytes);
  await writeFileAtomic(perFramePath, perFrameBytes);
  const description: SplitDescription = {
    preludeSha256: sha256(preludeBytes),
    perFrameSha256: sha256(perFrameBytes),
    preludeSizeBytes: preludeBytes.byteLength,
    perFrameSizeBytes: perFrameBytes.byteLength,
    preludeInputs: split.preludeInputs,
    boundary: split.boundary,
    passThrough: split.passThrough,
    preludeNodeCount: split.preludeNodeCount,
    perFrameNodeCount: split.perFrameNodeCount,
  };
  await writeFileAtomic(descriptionPath, new TextEncoder().encode(`${JSON.stringify(description, null, 2)}\n`));
  return { ...description, preludePath, perFramePath, created: true };
}
