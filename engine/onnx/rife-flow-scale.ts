// RIFE's answer to large frames (Practical-RIFE's `scale`, 0.5 for 4K): every
// IFBlock estimates flow on a copy of its input reduced by a further factor,
// so the coarse-to-fine blocks see motion that is large in pixels at a size
// their receptive field covers, and the work per block drops about fourfold.
// The published v4 graphs have no scale input, so this module rewrites one:
// each block's resizes (input down by 1/s, output up by s) and the flow
// factors beside them (flow / s on the way in, flow * s on the way out) are
// changed to those of s / factor; the finest block, which the exporter left
// without resizes (s = 1), gets the pair inserted. Warps and the final blend
// still run on the full-size frames, as in Practical-RIFE.
//
// The pattern, read from the RIFE v4.x graphs converted from ncnn here:
//   input side   Resize(x, [1,1,a,a]) with a < 1, and Div(Resize(flow, a), 1/a)
//   output side  DepthToSpace -> Resize([1,1,b,b]) with b > 1 -> Slice(0:4) -> Mul(b)
//   finest block Concat(.., flow) -> Conv, and DepthToSpace -> Slice without resizes
// A graph without that shape is refused rather than guessed at.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, throwIfCancelled } from '../../common/errors.ts';
import { sha256OfFile } from './fp16-to-fp32.ts';
import { ELEMENT_TYPE, readModelFile, writeModelFile } from './onnx-file.ts';
import type { GraphProto, ModelProto, TensorProto } from './onnx-file.ts';
import { readFloatTensor, tensorDims, writeFloatTensor } from './tensor-proto.ts';
import { exists } from '../base/exists.ts';

type NodeProto = NonNullable<GraphProto['node']>[number];

/** Bump when the rewrite changes, so cached files are not reused. */
export const FLOW_SCALE_TRANSFORM_VERSION = 1;

/** Flow scales offered: 1 is the model as published; 0.5 is Practical-RIFE's 4K setting. */
export const FLOW_SCALES = [1, 0.5] as const;
export type FlowScale = (typeof FLOW_SCALES)[number];

export interface FlowScaleReport {
  resizes: number;
  flowFactors: number;
  insertedBlocks: number;
}

function refuse(problem: string): never {
  throw new InvalidArgumentError(`This interpolation graph does not have the RIFE v4 block structure (${problem}); it runs only at flow scale 1.`);
}

/** The first value of an int64 or float constant (Slice starts), or undefined. */
function readFloatOrIntScalar(tensor: TensorProto | undefined): number | undefined {
  if (!tensor) return undefined;
  if (tensor.dataType === ELEMENT_TYPE.INT64) {
    const raw = tensor.rawData;
    if (raw && raw.byteLength >= 8) return Number(new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getBigInt64(0, true));
    const first = (tensor.int64Data ?? [])[0];
    return first === undefined ? undefined : Number(first);
  }
  if (tensor.dataType === ELEMENT_TYPE.FLOAT) return readFloatTensor(tensor)[0];
  return undefined;
}

/**
 * Rewrites a RIFE v4 graph in place so its blocks work at `factor` times
 * their published scale (0.5 halves every block's working size). The padding
 * multiple of the result grows by 1 / factor (32 becomes 64 at 0.5).
 */
export function scaleRifeFlow(model: ModelProto, factor: FlowScale): FlowScaleReport {
  const graph = model.graph;
  if (!graph) refuse('no graph');
  const report: FlowScaleReport = { resizes: 0, flowFactors: 0, insertedBlocks: 0 };
  if (factor === 1) return report;
  if ((graph.initializer ?? []).some((tensor) => tensor.dataType === ELEMENT_TYPE.FLOAT16)) refuse('its weights are float16; convert it to fp32 first');
  const initializers = new Map((graph.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]));
  const producers = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const node of graph.node ?? []) {
    for (const output of node.output ?? []) producers.set(output, node);
    for (const input of node.input ?? []) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  }
  const constant = (name: string | undefined): TensorProto | undefined => (name ? initializers.get(name) : undefined);
  const resizeFactor = (node: NodeProto): number | undefined => {
    if (node.opType !== 'Resize') return undefined;
    const scales = constant((node.input ?? [])[2]);
    if (!scales) return undefined;
    const values = readFloatTensor(scales);
    return values.length === 4 && values[2] === values[3] ? values[2] : undefined;
  };

  const edited = new Set<TensorProto>();
  // Each constant is read by one node in these graphs; a shared one would be scaled twice.
  const edit = (tensor: TensorProto, multiplier: number): void => {
    if (edited.has(tensor)) refuse(`constant "${tensor.name}" is shared`);
    edited.add(tensor);
    writeFloatTensor(tensor, readFloatTensor(tensor).map((value) => value * multiplier), 'float32');
  };
  for (const node of graph.node ?? []) {
    const a = resizeFactor(node);
    if (a === undefined) continue;
    const scales = constant((node.input ?? [])[2]) as TensorProto;
    if (edited.has(scales)) refuse(`constant "${scales.name}" is shared`);
    edited.add(scales);
    const values = readFloatTensor(scales);
    writeFloatTensor(scales, Float32Array.from(values, (value, index) => (index < 2 ? value : a < 1 ? value * factor : value / factor)), 'float32');
    report.resizes += 1;
    for (const next of consumers.get((node.output ?? [])[0] ?? '') ?? []) {
      if (a < 1 && next.opType === 'Div') {
        const divisor = constant((next.input ?? [])[1]);
        if (divisor) {
          edit(divisor, 1 / factor);
          report.flowFactors += 1;
        }
      }
      if (a > 1 && next.opType === 'Slice' && readFloatOrIntScalar(constant((next.input ?? [])[1])) === 0) {
        for (const mul of consumers.get((next.output ?? [])[0] ?? '') ?? []) {
          const multiplier = mul.opType === 'Mul' ? constant((mul.input ?? [])[1]) : undefined;
          if (multiplier) {
            edit(multiplier, 1 / factor);
            report.flowFactors += 1;
          }
        }
      }
    }
  }

  const added: TensorProto[] = [];
  const inserted = new Map<NodeProto, NodeProto[]>();
  const insertAfter = (anchor: NodeProto, nodes: NodeProto[]): void => {
    inserted.set(anchor, [...(inserted.get(anchor) ?? []), ...nodes]);
  };
  const rename = (from: string, to: string, except: ReadonlySet<NodeProto>): void => {
    for (const node of consumers.get(from) ?? []) {
      if (except.has(node)) continue;
      node.input = (node.input ?? []).map((name) => (name === from ? to : name));
    }
  };
  // The finest block: a DepthToSpace whose output no Resize reads.
  for (const node of graph.node ?? []) {
    if (node.opType !== 'DepthToSpace') continue;
    const output = (node.output ?? [])[0] ?? '';
    const readers = consumers.get(output) ?? [];
    if (readers.some((reader) => reader.opType === 'Resize')) continue;
    const prefix = `${output}__flowscale`;
    const outChannels = depthToSpaceChannels(node, producers, constant);
    added.push({ name: `${prefix}_up`, dataType: ELEMENT_TYPE.FLOAT, dims: [4], rawData: new Uint8Array(Float32Array.of(1, 1, 1 / factor, 1 / factor).buffer) });
    // Channels 0..3 are the two flows (scaled with the size); the mask and the rest are not.
    const outGain = new Float32Array(outChannels).fill(1);
    outGain.fill(1 / factor, 0, 4);
    added.push({ name: `${prefix}_gain`, dataType: ELEMENT_TYPE.FLOAT, dims: [1, outChannels, 1, 1], rawData: new Uint8Array(outGain.buffer) });
    const resize: NodeProto = { opType: 'Resize', name: `${prefix}_resize`, input: [output, '', `${prefix}_up`], output: [`${prefix}_resized`], attribute: resizeAttributes() };
    const gain: NodeProto = { opType: 'Mul', name: `${prefix}_mul`, input: [`${prefix}_resized`, `${prefix}_gain`], output: [`${prefix}_out`] };
    rename(output, `${prefix}_out`, new Set());
    insertAfter(node, [resize, gain]);
    const block = findBlockInput(node, producers);
    const conv = block.conv;
    const channels = tensorDims(constant((conv.input ?? [])[1]) ?? refuse('the finest block has no weight constant'))[1] ?? 0;
    if (channels < 5) refuse('the finest block takes fewer than 5 channels');
    const input = (conv.input ?? [])[0] ?? '';
    const inPrefix = `${input}__flowscale`;
    const inGain = new Float32Array(channels).fill(1);
    inGain.fill(factor, channels - 4);
    added.push({ name: `${inPrefix}_down`, dataType: ELEMENT_TYPE.FLOAT, dims: [4], rawData: new Uint8Array(Float32Array.of(1, 1, factor, factor).buffer) });
    added.push({ name: `${inPrefix}_gain`, dataType: ELEMENT_TYPE.FLOAT, dims: [1, channels, 1, 1], rawData: new Uint8Array(inGain.buffer) });
    const down: NodeProto = { opType: 'Resize', name: `${inPrefix}_resize`, input: [input, '', `${inPrefix}_down`], output: [`${inPrefix}_resized`], attribute: resizeAttributes() };
    const inMul: NodeProto = { opType: 'Mul', name: `${inPrefix}_mul`, input: [`${inPrefix}_resized`, `${inPrefix}_gain`], output: [`${inPrefix}_out`] };
    conv.input = [`${inPrefix}_out`, ...(conv.input ?? []).slice(1)];
    insertAfter(block.concat, [down, inMul]);
    report.insertedBlocks += 1;
  }
  if (report.resizes === 0 || report.insertedBlocks !== 1) refuse(`${report.resizes} resizes and ${report.insertedBlocks} blocks without them`);
  const ordered: NodeProto[] = [];
  for (const node of graph.node ?? []) ordered.push(node, ...(inserted.get(node) ?? []));
  graph.node = ordered;
  graph.initializer = [...(graph.initializer ?? []), ...added];
  return report;
}

/** Channels out of a DepthToSpace fed by a ConvTranspose with constant weights. */
function depthToSpaceChannels(node: NodeProto, producers: ReadonlyMap<string, NodeProto>, constant: (name: string | undefined) => TensorProto | undefined): number {
  const deconv = producers.get((node.input ?? [])[0] ?? '');
  const weights = deconv?.opType === 'ConvTranspose' ? constant((deconv.input ?? [])[1]) : undefined;
  const blocksize = Number((node.attribute ?? []).find((attribute) => attribute.name === 'blocksize')?.i ?? 0);
  const channels = weights && blocksize > 0 ? (tensorDims(weights)[1] ?? 0) / (blocksize * blocksize) : 0;
  if (!Number.isInteger(channels) || channels < 5) refuse('the finest block does not end in ConvTranspose and DepthToSpace to flows and a mask');
  return channels;
}

function resizeAttributes(): NodeProto['attribute'] {
  const text = (value: string): Uint8Array => new TextEncoder().encode(value);
  return [
    { name: 'mode', type: 3, s: text('linear') },
    { name: 'coordinate_transformation_mode', type: 3, s: text('half_pixel') },
  ];
}

/** The Conv that starts the block ending in `end`, and the Concat feeding it (walking producers back). */
function findBlockInput(end: NodeProto, producers: ReadonlyMap<string, NodeProto>): { conv: NodeProto; concat: NodeProto } {
  let node: NodeProto | undefined = end;
  let lastConv: NodeProto | undefined;
  for (let steps = 0; node && steps < 200; steps += 1) {
    if (node.opType === 'Conv') lastConv = node;
    if (node.opType === 'Concat' && lastConv) return { conv: lastConv, concat: node };
    node = producers.get((node.input ?? [])[0] ?? '');
  }
  refuse('the finest block has no Concat before its first Conv');
}


/**
 * The file of `sourcePath` rewritten for flow scale `factor`, made once and
 * kept in `cacheDir` under a name of the source's sha256, the factor and the
 * transform version (written atomically, so a file under that name is whole).
 */
export async function ensureFlowScaledModel(sourcePath: string, factor: FlowScale, cacheDir: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  if (factor === 1) return sourcePath;
  const stem = path.basename(sourcePath).replace(/\.onnx$/i, '');
  const target = path.join(cacheDir, `${stem}.${(await sha256OfFile(sourcePath)).slice(0, 16)}.flow${factor}.v${FLOW_SCALE_TRANSFORM_VERSION}.onnx`);
  if (await exists(target)) return target;
  throwIfCancelled(options.signal);
  const model = await readModelFile(sourcePath);
  scaleRifeFlow(model, factor);
  await mkdir(cacheDir, { recursive: true });
  await writeModelFile(target, model);
  return target;
}
