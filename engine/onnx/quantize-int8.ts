// INT8 on the CPU: onnxruntime fuses QuantizeLinear/DequantizeLinear pairs
// around a Conv into QLinearConv, which runs on the CPU's integer dot-product
// units (AVX-512 VNNI here). This module writes that QDQ form on an fp32
// graph, in TypeScript, the way onnxruntime's own static quantizer does:
// activations (each Conv's input and output) uint8 asymmetric with ranges
// calibrated on real frames, weights int8 symmetric per output channel, biases
// int32 at input scale x weight scale. Everything else stays fp32, so flow
// warps (GridSample), resizes and normalisations keep their precision.
// Calibration is two pure steps around a run the caller makes:
// `calibrationTargets` names the tensors to observe, `withObservedOutputs`
// exposes them as graph outputs, and `quantizeConvolutions` takes the ranges.
import { InvalidArgumentError } from '../../common/errors.ts';
import { ELEMENT_TYPE, onnx } from './onnx-file.ts';
import type { GraphProto, ModelProto, TensorProto } from './onnx-file.ts';

type NodeProto = NonNullable<GraphProto['node']>[number];
import { readFloatTensor, tensorDims } from './tensor-proto.ts';

/** The observed value range of one tensor over the calibration inputs. */
export interface TensorRange {
  min: number;
  max: number;
}

/** Bump when the transform changes, so cached int8 files are not reused. */
export const INT8_TRANSFORM_VERSION = 2;

interface ConvSite {
  node: NodeProto;
  activation: string;
  output: string;
  weight: TensorProto;
  bias: TensorProto | undefined;
}

function requireGraph(model: ModelProto): GraphProto {
  if (!model.graph) throw new InvalidArgumentError('The model has no graph to quantize.');
  return model.graph;
}

/**
 * A Conv fed by a Concat, directly or through a Resize, mixes channels of
 * different ranges (RIFE: images in 0..1 beside flows of tens of pixels): one
 * uint8 scale for them all gives the images a coarse step, so it stays fp32.
 */
function mixesRanges(activation: string, producers: ReadonlyMap<string, NodeProto>): boolean {
  let producer = producers.get(activation);
  if (producer?.opType === 'Resize') producer = producers.get((producer.input ?? [])[0] ?? '');
  return producer?.opType === 'Concat';
}

/**
 * A Conv whose output is the picture (a graph output, or pixels rearranged
 * by DepthToSpace as in Real-ESRGAN's last layer) needs more than 256 levels
 * across its range, so it stays fp32.
 */
function makesPicture(output: string, graph: GraphProto, readers: ReadonlyMap<string, NodeProto[]>): boolean {
  if ((graph.output ?? []).some((value) => value.name === output)) return true;
  return (readers.get(output) ?? []).some((reader) => reader.opType === 'DepthToSpace');
}

function convSites(graph: GraphProto): ConvSite[] {
  const initializers = new Map((graph.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]));
  const producers = new Map<string, NodeProto>();
  const readers = new Map<string, NodeProto[]>();
  for (const current of graph.node ?? []) {
    for (const output of current.output ?? []) producers.set(output, current);
    for (const input of current.input ?? []) readers.set(input, [...(readers.get(input) ?? []), current]);
  }
  const sites: ConvSite[] = [];
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Conv' || (node.domain ?? '') !== '') continue;
    const [activation, weightName, biasName] = node.input ?? [];
    if (!activation || mixesRanges(activation, producers)) continue;
    const weight = weightName ? initializers.get(weightName) : undefined;
    // A Conv whose weights are computed at run time (none in the catalog) stays fp32.
    if (!activation || !weight || weight.dataType !== ELEMENT_TYPE.FLOAT) continue;
    const bias = biasName ? initializers.get(biasName) : undefined;
    if (biasName && (!bias || bias.dataType !== ELEMENT_TYPE.FLOAT)) continue;
    const output = (node.output ?? [])[0];
    if (!output || makesPicture(output, graph, readers)) continue;
    sites.push({ node, activation, output, weight, bias });
  }
  return sites;
}

/** The tensors whose ranges calibration must observe: every quantizable Conv's input and output. */
export function calibrationTargets(model: ModelProto): string[] {
  const names = new Set<string>();
  for (const site of convSites(requireGraph(model))) {
    names.add(site.activation);
    names.add(site.output);
  }
  return [...names];
}

/** A copy of the model that also outputs the named tensors (float32, shape left to the runtime). */
export function withObservedOutputs(model: ModelProto, names: readonly string[]): ModelProto {
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  const graph = requireGraph(copy);
  const present = new Set((graph.output ?? []).map((value) => value.name));
  graph.output = [...(graph.output ?? [])];
  for (const name of names) {
    if (present.has(name)) continue;
    graph.output.push({ name, type: { tensorType: { elemType: ELEMENT_TYPE.FLOAT } } });
  }
  return copy;
}

/** Widens running ranges by one calibration run's values. */
export function accumulateRange(ranges: Map<string, TensorRange>, name: string, values: Float32Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as number;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const known = ranges.get(name);
  ranges.set(name, { min: Math.min(min, known?.min ?? Infinity), max: Math.max(max, known?.max ?? -Infinity) });
}

/** uint8 asymmetric parameters covering the range and zero (zero must be exact: padding is zero). */
export function activationParameters(range: TensorRange): { scale: number; zeroPoint: number } {
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max)) {
    throw new InvalidArgumentError(`Calibration range [${range.min}, ${range.max}] is not finite; the calibration inputs overflowed the model.`);
  }
  const low = Math.min(0, range.min);
  const high = Math.max(0, range.max);
  const scale = high > low ? (high - low) / 255 : 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-low / scale)));
  return { scale, zeroPoint };
}

/** The smallest scale kept: below it, products with activation scales underflow float32. */
const MIN_SCALE = 1e-30;
const INT32_LIMIT = 2 ** 31 - 1;

/** int8 symmetric per-output-channel weights: q = round(w / scale), |q| <= 127. */
export function quantizeWeightsPerChannel(values: Float32Array, channels: number): { quantized: Int8Array; scales: Float32Array } {
  if (channels <= 0 || values.length % channels !== 0) {
    throw new InvalidArgumentError(`Weights of ${values.length} values do not split into ${channels} output channels.`);
  }
  const perChannel = values.length / channels;
  const quantized = new Int8Array(values.length);
  const scales = new Float32Array(channels);
  for (let channel = 0; channel < channels; channel += 1) {
    const start = channel * perChannel;
    let peak = 0;
    for (let index = start; index < start + perChannel; index += 1) peak = Math.max(peak, Math.abs(values[index] as number));
    // A channel of (near-)zero weights whose scale would underflow float32 quantizes to zeros.
    const scale = Math.fround(peak / 127) >= MIN_SCALE ? peak / 127 : 1;
    scales[channel] = scale;
    const stored = scales[channel] as number;
    for (let index = start; index < start + perChannel; index += 1) {
      quantized[index] = Math.max(-127, Math.min(127, Math.round((values[index] as number) / stored)));
    }
  }
  return { quantized, scales };
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

function tensor(name: string, dataType: number, dims: number[], data: ArrayBufferView): TensorProto {
  return { name, dataType, dims, rawData: bytesOf(data) };
}

function node(opType: string, inputs: string[], outputs: string[], name: string, axis?: number): NodeProto {
  return {
    opType,
    input: inputs,
    output: outputs,
    name,
    attribute: axis === undefined ? [] : [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: axis }],
  };
}

export interface Int8Report {
  /** Conv nodes now in QDQ form. */
  convolutions: number;
  /** Activation tensors with a QuantizeLinear/DequantizeLinear pair. */
  activations: number;
}

/**
 * Rewrites the fp32 model in place into QDQ form around every Conv whose
 * weights are fp32 initializers. `ranges` must hold every name that
 * `calibrationTargets` returned (InvalidArgumentError names a missing one).
 */
export function quantizeConvolutions(model: ModelProto, ranges: ReadonlyMap<string, TensorRange>): Int8Report {
  const graph = requireGraph(model);
  const sites = convSites(graph);
  const activations = new Map<string, { scale: number; zeroPoint: number }>();
  for (const site of sites) {
    for (const name of [site.activation, site.output]) {
      const range = ranges.get(name);
      if (!range) throw new InvalidArgumentError(`No calibration range for tensor "${name}"; calibrate on the model's calibrationTargets first.`);
      activations.set(name, activationParameters(range));
    }
  }
  const added: TensorProto[] = [];
  const qdq = new Map<string, NodeProto[]>();
  for (const [name, parameters] of activations) {
    const scaleName = `${name}__int8_scale`;
    const zeroName = `${name}__int8_zero`;
    added.push(tensor(scaleName, ELEMENT_TYPE.FLOAT, [], Float32Array.of(parameters.scale)));
    added.push(tensor(zeroName, ELEMENT_TYPE.UINT8, [], Uint8Array.of(parameters.zeroPoint)));
    qdq.set(name, [
      node('QuantizeLinear', [name, scaleName, zeroName], [`${name}__int8_q`], `${name}__int8_quantize`),
      node('DequantizeLinear', [`${name}__int8_q`, scaleName, zeroName], [`${name}__int8_dq`], `${name}__int8_dequantize`),
    ]);
  }
  const replacedInitializers = new Set<string>();
  const weightNodes = new Map<NodeProto, NodeProto[]>();
  for (const site of sites) {
    const weightName = site.weight.name ?? '';
    const dims = tensorDims(site.weight);
    const channels = dims[0] ?? 0;
    const { quantized, scales } = quantizeWeightsPerChannel(readFloatTensor(site.weight), channels);
    const activationScale = activations.get(site.activation)?.scale ?? 1;
    const prefix = `${site.node.name || site.output}__int8`;
    added.push(tensor(`${prefix}_w`, ELEMENT_TYPE.INT8, dims, quantized));
    added.push(tensor(`${prefix}_w_scale`, ELEMENT_TYPE.FLOAT, [channels], scales));
    added.push(tensor(`${prefix}_w_zero`, ELEMENT_TYPE.INT8, [channels], new Int8Array(channels)));
    const created = [node('DequantizeLinear', [`${prefix}_w`, `${prefix}_w_scale`, `${prefix}_w_zero`], [`${prefix}_w_dq`], `${prefix}_w_dequantize`, 0)];
    const inputs = [...(site.node.input ?? [])];
    inputs[0] = `${site.activation}__int8_dq`;
    inputs[1] = `${prefix}_w_dq`;
    replacedInitializers.add(weightName);
    if (site.bias) {
      const biasValues = readFloatTensor(site.bias);
      const biasScales = scales.map((scale) => scale * activationScale);
      const biasQuantized = Int32Array.from(biasValues, (value, index) => Math.max(-INT32_LIMIT, Math.min(INT32_LIMIT, Math.round(value / (biasScales[index] as number)))));
      added.push(tensor(`${prefix}_b`, ELEMENT_TYPE.INT32, [channels], biasQuantized));
      added.push(tensor(`${prefix}_b_scale`, ELEMENT_TYPE.FLOAT, [channels], biasScales));
      added.push(tensor(`${prefix}_b_zero`, ELEMENT_TYPE.INT32, [channels], new Int32Array(channels)));
      created.push(node('DequantizeLinear', [`${prefix}_b`, `${prefix}_b_scale`, `${prefix}_b_zero`], [`${prefix}_b_dq`], `${prefix}_b_dequantize`, 0));
      inputs[2] = `${prefix}_b_dq`;
      replacedInitializers.add(site.bias.name ?? '');
    }
    site.node.input = inputs;
    weightNodes.set(site.node, created);
  }
  // Conv inputs point at their own dequantized copies already; every other
  // consumer of a Conv output reads the dequantized copy too, so the next op
  // sees the same values the fused QLinearConv will produce.
  const convNodes = new Set(sites.map((site) => site.node));
  for (const current of graph.node ?? []) {
    if (convNodes.has(current)) continue;
    current.input = (current.input ?? []).map((name) => (qdq.has(name) ? `${name}__int8_dq` : name));
  }
  const graphInputs = new Set((graph.input ?? []).map((value) => value.name ?? ''));
  const ordered: NodeProto[] = [];
  for (const [name, pair] of qdq) if (graphInputs.has(name)) ordered.push(...pair);
  for (const current of graph.node ?? []) {
    ordered.push(...(weightNodes.get(current) ?? []));
    ordered.push(current);
    for (const output of current.output ?? []) ordered.push(...(qdq.get(output) ?? []));
  }
  const stillUsed = new Set(ordered.flatMap((current) => current.input ?? []));
  graph.node = ordered;
  graph.initializer = [...(graph.initializer ?? []).filter((initializer) => !(replacedInitializers.has(initializer.name ?? '') && !stillUsed.has(initializer.name ?? ''))), ...added];
  return { convolutions: sites.length, activations: activations.size };
}
