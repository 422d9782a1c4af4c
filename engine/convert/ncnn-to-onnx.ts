// The public door of the ncnn converter: `.param` (text or binary) + `.bin`
// (fp32/fp16) in, ONNX ModelProto bytes out, no Python. Names follow the
// ready ONNX files the app already uses (`input`/`output` for a one-input
// net, `img0`/`img1`/`timestep` -> `output` for RIFE, `input1`/`output1` for
// the fast styles via the `names` option), and values pass through unscaled:
// what the ncnn net expected (0..1 for Real-ESRGAN and RIFE, 0..255 for the
// styles) is what the ONNX model expects.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, InputNotFoundError, throwIfCancelled } from '../../common/errors.ts';
import { NcnnUnsupportedError } from './ncnn-errors.ts';
import { NCNN_LAYER_CONVERTERS } from './ncnn-layers.ts';
import type { NcnnTensor } from './ncnn-layers.ts';
import { parseNcnnParam } from './ncnn-param.ts';
import type { NcnnGraph, NcnnLayer } from './ncnn-param.ts';
import { NcnnWeightReader, graphWeightCount, layerWeightSpecs } from './ncnn-weights.ts';
import { CONVERTED_OPSET, OnnxGraphBuilder } from './onnx-graph-builder.ts';

export type NcnnNamePreset = 'super-resolution' | 'interpolation' | 'style';

export interface NcnnSource {
  paramPath?: string;
  paramBytes?: Uint8Array;
}

export interface NcnnConvertOptions extends NcnnSource {
  binPath?: string;
  binBytes?: Uint8Array;
  /** Naming convention of the ONNX inputs/outputs; default: guessed from the graph. */
  preset?: NcnnNamePreset;
  /** Explicit ONNX input names, in the order of the ncnn Input layers (wins over preset). */
  inputNames?: readonly string[];
  /** Explicit ONNX output names, in the order of outputBlobs (or the detected outputs). */
  outputNames?: readonly string[];
  /** ncnn blob names to expose as outputs; default: produced blobs nothing consumes. */
  outputBlobs?: readonly string[];
  signal?: AbortSignal;
}

export interface NcnnUnsupportedLayer {
  type: string;
  name: string;
  line: number;
}

export interface NcnnModelInfo {
  format: 'text' | 'binary';
  layerCount: number;
  blobCount: number;
  /** ncnn blob names of the Input layers, in order. */
  inputBlobs: string[];
  /** ncnn blobs the converter exposes as outputs by default. */
  outputBlobs: string[];
  /** Layer type -> number of layers. */
  layerTypes: Record<string, number>;
  unsupported: NcnnUnsupportedLayer[];
  /** float32 weight values the `.bin` must hold. */
  weightCount: number;
  /** The name preset the converter would pick. */
  preset: NcnnNamePreset | undefined;
}

const PRESET_NAMES: Record<NcnnNamePreset, { inputs: string[]; channels: number[]; outputs: string[] }> = {
  'super-resolution': { inputs: ['input'], channels: [3], outputs: ['output'] },
  interpolation: { inputs: ['img0', 'img1', 'timestep'], channels: [3, 3, 1], outputs: ['output'] },
  style: { inputs: ['input1'], channels: [3], outputs: ['output1'] },
};

async function loadBytes(bytes: Uint8Array | undefined, path: string | undefined, what: string): Promise<Uint8Array> {
  if (bytes !== undefined) return bytes;
  if (path === undefined) throw new InvalidArgumentError(`No ncnn ${what} given: pass its path or its bytes.`);
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InputNotFoundError(path, { cause: error });
    throw error;
  }
}

function inputBlobsOf(graph: NcnnGraph): string[] {
  return graph.layers.filter((layer) => layer.type === 'Input').flatMap((layer) => layer.outputs);
}

/** Produced blobs nothing consumes; outputs of Split/Slice only when nothing else is left. */
function outputBlobsOf(graph: NcnnGraph): string[] {
  const consumed = new Set(graph.layers.flatMap((layer) => layer.inputs));
  const dangling = graph.layers.flatMap((layer) => layer.outputs.filter((blob) => !consumed.has(blob)).map((blob) => ({ blob, layer })));
  const primary = dangling.filter(({ layer }) => layer.type !== 'Split' && layer.type !== 'Slice' && layer.type !== 'Input');
  return (primary.length > 0 ? primary : dangling).map(({ blob }) => blob);
}

function guessPreset(graph: NcnnGraph, inputCount: number): NcnnNamePreset | undefined {
  if (inputCount === 3 && graph.layers.some((layer) => layer.type === 'rife.Warp')) return 'interpolation';
  if (inputCount === 1) return 'super-resolution';
  return undefined;
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_.:-]/g, '_');
}

/** Lists the layers a param uses and which the converter cannot handle, without weights. */
export async function inspectNcnnModel(source: NcnnSource): Promise<NcnnModelInfo> {
  const graph = parseNcnnParam(await loadBytes(source.paramBytes, source.paramPath, '.param'));
  return describeGraph(graph);
}

export function describeGraph(graph: NcnnGraph): NcnnModelInfo {
  const layerTypes: Record<string, number> = {};
  const unsupported: NcnnUnsupportedLayer[] = [];
  for (const layer of graph.layers) {
    layerTypes[layer.type] = (layerTypes[layer.type] ?? 0) + 1;
    if (layer.type !== 'Input' && !NCNN_LAYER_CONVERTERS.has(layer.type)) unsupported.push({ type: layer.type, name: layer.name, line: layer.line });
  }
  const inputBlobs = inputBlobsOf(graph);
  return {
    format: graph.format,
    layerCount: graph.layers.length,
    blobCount: graph.blobCount,
    inputBlobs,
    outputBlobs: outputBlobsOf(graph),
    layerTypes,
    unsupported,
    weightCount: graphWeightCount(graph),
    preset: guessPreset(graph, inputBlobs.length),
  };
}

/** Converts an ncnn model to ONNX (opset 17, float32) and returns the encoded ModelProto. */
export async function convertNcnnToOnnx(options: NcnnConvertOptions): Promise<Uint8Array> {
  const paramBytes = await loadBytes(options.paramBytes, options.paramPath, '.param');
  const binBytes = await loadBytes(options.binBytes, options.binPath, '.bin');
  throwIfCancelled(options.signal);
  return convertNcnnGraph(parseNcnnParam(paramBytes), binBytes, options);
}

export function convertNcnnGraph(graph: NcnnGraph, binBytes: Uint8Array, options: Omit<NcnnConvertOptions, 'paramPath' | 'paramBytes' | 'binPath' | 'binBytes'> = {}): Uint8Array {
  const firstUnsupported = graph.layers.find((layer) => layer.type !== 'Input' && !NCNN_LAYER_CONVERTERS.has(layer.type));
  if (firstUnsupported !== undefined) throw new NcnnUnsupportedError(firstUnsupported);

  const inputBlobs = inputBlobsOf(graph);
  const outputBlobs = options.outputBlobs === undefined ? outputBlobsOf(graph) : [...options.outputBlobs];
  const preset = options.preset ?? guessPreset(graph, inputBlobs.length);
  const presetNames = preset === undefined ? undefined : PRESET_NAMES[preset];
  const inputNames = inputBlobs.map((blob, i) => options.inputNames?.[i] ?? presetNames?.inputs[i] ?? sanitize(blob));
  const outputNames = outputBlobs.map((blob, i) => options.outputNames?.[i] ?? presetNames?.outputs[i] ?? sanitize(blob));

  const builder = new OnnxGraphBuilder();
  for (const name of [...inputNames, ...outputNames]) {
    if (!builder.reserve(name)) throw new InvalidArgumentError(`The ONNX input/output name "${name}" is used twice. Give every input and output its own name.`);
  }
  const values = new Map<string, NcnnTensor>();
  inputBlobs.forEach((blob, i) => values.set(blob, { name: inputNames[i] as string, rank: 3 }));

  const reader = new NcnnWeightReader(binBytes);
  for (const [index, layer] of graph.layers.entries()) {
    if (index % 64 === 0) throwIfCancelled(options.signal);
    const weights = layerWeightSpecs(layer).map((spec) => reader.read(spec, layer));
    if (layer.type === 'Input') continue;
    const converter = NCNN_LAYER_CONVERTERS.get(layer.type);
    if (converter === undefined) throw new NcnnUnsupportedError(layer);
    const inputs = layer.inputs.map((blob) => resolveBlob(values, blob, layer));
    const outputs = converter({ builder, layer, inputs, weights });
    layer.outputs.forEach((blob, i) => {
      const tensor = outputs[i];
      if (tensor !== undefined) values.set(blob, tensor);
    });
  }
  if (reader.remaining() >= 4) {
    throw new InvalidArgumentError(`The ncnn .bin has ${reader.remaining()} bytes more than its .param reads (${reader.offset} of ${reader.offset + reader.remaining()}). The .bin probably belongs to another .param; pair files from the same folder.`);
  }

  const outputs = outputBlobs.map((blob, i) => {
    const tensor = values.get(blob);
    if (tensor === undefined) throw new InvalidArgumentError(`The ncnn graph has no blob named "${blob}" to expose as an output.`);
    builder.opInto('Identity', [tensor.name], [outputNames[i] as string]);
    return { name: outputNames[i] as string };
  });
  // Channel counts are fixed only for an explicitly chosen preset: a guessed one
  // may meet, say, a 1-channel luma model.
  const channels = options.preset === undefined ? undefined : presetNames?.channels;
  const inputs = inputNames.map((name, i) => ({ name, dims: [1, channels?.[i] ?? `C${i}`, 'H', 'W'] }));
  return builder.encode(inputs, outputs, 'ncnn', `framesmith-ncnn2onnx opset ${CONVERTED_OPSET}`);
}

function resolveBlob(values: ReadonlyMap<string, NcnnTensor>, blob: string, layer: NcnnLayer): NcnnTensor {
  const tensor = values.get(blob);
  if (tensor === undefined) {
    throw new InvalidArgumentError(`The ncnn graph is inconsistent: layer "${layer.name}" (line ${layer.line}) reads blob "${blob}", which no earlier layer produces.`);
  }
  return tensor;
}
